// Rapport staff console: the live queue (who waits, who is with an agent, follow-ups promised).
"use strict";

(function (C) {
  const { me, el, clear, say, api, ago, label, customerName, queueOrder, connect } = C;

  function queuePage() {
    const handoffs = new Map();

    async function load() {
      const data = await api("GET", "/console/api/queue");
      handoffs.clear();
      for (const h of data.handoffs) handoffs.set(h.id, h);
      render();
      const followUps = clear(document.querySelector("#follow-ups tbody"));
      for (const h of data.follow_ups) {
        followUps.append(el("tr", {},
          el("td", {}, el("a", { href: "/console/conversations/" + h.id }, customerName(h)),
            h.words ? el("div", { class: "words" }, h.words) : null),
          el("td", {}, new Date(h.created_at).toLocaleString()),
          el("td", {}, h.complaint || "—"),
          el("td", {}, h.channel),
          el("td", {}, h.follow_up_from ? new Date(h.follow_up_from).toLocaleString() : "")));
      }
    }

    async function claim(h) {
      try {
        await api("POST", "/console/api/handoffs/" + h.id + "/claim");
        window.location.assign("/console/conversations/" + h.id);
      } catch (error) { say(error.message, "error"); }
    }

    function render() {
      const all = [...handoffs.values()];
      const waiting = all.filter((h) => h.status === "waiting").sort(queueOrder);
      const active = all.filter((h) => h.status === "active");
      const waitingBody = clear(document.querySelector("#waiting tbody"));
      waiting.forEach((h, index) => {
        waitingBody.append(el("tr", { "data-handoff": h.id, class: "waiting-row" },
          el("td", {}, index + 1),
          el("td", {}, el("a", { href: "/console/conversations/" + h.id }, customerName(h)),
            h.words ? el("div", { class: "words" }, h.words) : null),
          el("td", {}, label(h.reason), h.complaint ? el("div", { class: "muted" }, h.complaint) : null),
          el("td", {}, h.value_tier || "—"),
          el("td", {}, h.severity || "—"),
          el("td", {}, h.channel),
          el("td", {}, ago(h.created_at)),
          el("td", {}, el("button", { type: "button", class: "claim", onclick: () => claim(h) }, "Claim"))));
      });
      document.getElementById("waiting-count").textContent = waiting.length;
      document.getElementById("waiting-empty").hidden = waiting.length > 0;
      const activeBody = clear(document.querySelector("#active tbody"));
      for (const h of active) {
        activeBody.append(el("tr", { "data-handoff": h.id, class: h.agent_id === me ? "mine" : "" },
          el("td", {}, customerName(h)),
          el("td", {}, h.agent_id === me ? "You" : (h.agent_name || "")),
          el("td", {}, h.channel),
          el("td", {}, ago(h.claimed_at)),
          el("td", {}, el("a", { href: "/console/conversations/" + h.id }, "Open"))));
      }
      document.getElementById("active-count").textContent = active.length;
    }

    connect((event) => {
      if (event.type === "handoff") {
        const h = event.handoff;
        if (h.status === "closed") handoffs.delete(h.id); else handoffs.set(h.id, h);
        render();
      } else if (event.type === "resync") {
        load();
      }
    }, () => load().catch((error) => say(error.message, "error")));
    setInterval(render, 30000);
  }

  if (C.page === "queue") queuePage();
})(window.RapportConsole);
