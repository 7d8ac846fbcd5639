// Rapport marketer studio: the overview page: the live version, the draft, its problems,
// and bringing a code release into the draft.
"use strict";

(function (S) {
  const { $, el, say, api, when, showProblems, describeChange, renderStatus } = S;

  function overview() {
    document.addEventListener("studio:status", (event) => {
      const status = event.detail;
      const live = status.live;
      $("live-version").textContent = "Version " + live.number + " · " + live.message + " · " + live.author + ", " + when(live.created_at);
      $("draft-state").textContent = describeChange(status.draft.change);
      $("changed").replaceChildren(...status.draft.change.changed.map((path) =>
        el("li", {}, el("a", { href: "/studio/files?path=" + encodeURIComponent(path) }, path))));
      showProblems($("problems"), status.problems);
      $("code-update").hidden = !status.code_update_pending || status.draft_imports_code;
    });
    $("bring-in-code").addEventListener("click", async () => {
      if (!confirm("Replace your draft with the live version plus the release's changes?")) return;
      try {
        const { data } = await api("POST", "/studio/api/code/bring-in");
        renderStatus(data);
        say(data.conflicts.length
          ? "The release is in your draft, except where it and the studio both changed a file (your draft keeps the studio's version): " + data.conflicts.join(", ")
          : "The release's changes are in your draft: check them, then publish.", data.conflicts.length ? "error" : "ok");
      } catch (error) { say(error.message, "error"); }
    });
  }

  S.pages["studio-overview"] = overview;
})(window.RapportStudio);
