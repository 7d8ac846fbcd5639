// Rapport marketer studio: the history page: versions, their diffs, rollback, the audit log.
"use strict";

(function (S) {
  const { $, el, say, api, when, refreshStatus } = S;

  function historyPage() {
    function showDiff(version) {
      $("diff-title").textContent = "Version " + version.number + ": " + version.message;
      const lines = (version.diff || "(no changes to the files)").split("\n");
      $("diff").replaceChildren(...lines.map((line) => el("span", {
        class: line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : line.startsWith("@@") ? "hunk" : "",
      }, line + "\n")));
    }

    async function rollback(number) {
      if (!confirm("Make version " + number + " live again? This creates a new version with its content.")) return;
      try {
        const { data, status } = await api("POST", "/studio/api/versions/" + number + "/rollback");
        say(status === 202 ? "Rolling back: the model is being prepared…" : "Rolled back: version " + data.job.version + " is live.", "ok");
      } catch (error) { say(error.message, "error"); }
      await refreshStatus();
      await load();
    }

    async function load() {
      const { data } = await api("GET", "/studio/api/versions");
      $("versions").tBodies[0].replaceChildren(...data.versions.map((v) => el("tr", { class: v.number === data.live ? "live" : "" },
        el("td", {}, String(v.number), v.number === data.live ? el("span", { class: "tag live" }, "live") : null),
        el("td", {}, when(v.created_at)), el("td", {}, v.author), el("td", {}, v.message), el("td", {}, v.kind),
        el("td", {}, v.changed.join(", ")),
        el("td", {},
          el("button", { type: "button", class: "secondary small", onclick: async () => showDiff((await api("GET", "/studio/api/versions/" + v.number)).data) }, "Changes"),
          v.number === data.live ? null : el("button", { type: "button", class: "small", onclick: () => rollback(v.number) }, "Roll back to this")))));
      const audit = (await api("GET", "/studio/api/audit")).data.entries;
      $("audit").tBodies[0].replaceChildren(...audit.map((entry) => el("tr", {},
        el("td", {}, when(entry.at)), el("td", {}, entry.actor + " (" + entry.username + ")"), el("td", {}, entry.action),
        el("td", {}, [entry.file, entry.version ? "version " + entry.version : "", entry.message].filter(Boolean).join(" · ")))));
    }

    document.addEventListener("studio:reload", load);
    load().catch((error) => say(error.message, "error"));
  }

  S.pages["studio-history"] = historyPage;
})(window.RapportStudio);
