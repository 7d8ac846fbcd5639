// Rapport staff console: one conversation, its transcript, notes and actions, kept live.
// The suggestions and the profile are drawn by suggestions.js and profile.js, loaded before.
"use strict";

(function (C) {
  const { body, me, el, clear, say, api, clock, label, customerName, connect } = C;

  function conversationPage() {
    const handoffId = Number(body.dataset.handoff);
    const seen = new Set();
    let state = null;
    const suggestions = C.suggestions({ state: () => state, act });

    function senderName(m) {
      if (m.sender === "agent") return (m.agent && m.agent.name) || "Agent";
      if (m.sender === "customer") return state ? customerName(state.handoff) : "Customer";
      return m.sender === "bot" ? "Bot" : "System";
    }

    function addMessage(m) {
      if (m.id !== undefined && seen.has(m.id)) return;
      if (m.id !== undefined) seen.add(m.id);
      const list = document.getElementById("transcript");
      const buttons = (m.buttons || []).map((b) => el("span", { class: "chip" }, b.title));
      list.append(el("li", { class: "message " + m.sender, "data-sender": m.sender },
        el("div", { class: "meta" }, senderName(m), " · ", clock(m.created_at)),
        el("div", { class: "text" }, m.text),
        buttons.length ? el("div", { class: "chips" }, buttons) : null));
      list.scrollTop = list.scrollHeight;
    }

    function addNote(n) {
      document.getElementById("notes").append(el("li", { class: "note" },
        el("div", { class: "meta" }, n.author, " · ", clock(n.created_at)), el("div", { class: "text" }, n.text)));
    }

    function renderSummary() {
      const h = state.handoff;
      const holder = h.status === "active" ? (h.agent_id === me ? "you" : h.agent_name) : null;
      clear(document.getElementById("handoff-summary")).append(
        el("h2", {}, customerName(h)),
        el("p", {}, label(h.reason), " · ", h.channel, " · ", h.status === "active" ? "with " + holder : h.status,
          h.outcome ? " (" + label(h.outcome) + ")" : ""));
      const mine = h.status === "active" && h.agent_id === me;
      document.getElementById("claim").hidden = h.status !== "waiting";
      for (const id of ["transfer", "hand-back", "resolve", "transfer-to", "resolve-summary"]) {
        document.getElementById(id).disabled = !mine;
      }
      for (const form of ["reply-form"]) {
        for (const field of document.getElementById(form).elements) field.disabled = !mine;
      }
      body.dataset.status = h.status;
      body.dataset.mine = mine ? "yes" : "no";
    }

    function renderChoices() {
      const canned = clear(document.getElementById("canned"));
      canned.append(el("option", { value: "" }, "—"));
      for (const c of state.canned) canned.append(el("option", { value: c.text }, label(c.name.replace(/^utter_/, ""))));
      const transferTo = clear(document.getElementById("transfer-to"));
      transferTo.append(el("option", { value: "queue" }, "back to the queue"));
      for (const a of state.agents) if (a.id !== me) transferTo.append(el("option", { value: a.id }, a.name));
    }

    async function load() {
      state = await api("GET", "/console/api/handoffs/" + handoffId);
      clear(document.getElementById("transcript"));
      clear(document.getElementById("notes"));
      seen.clear();
      state.transcript.forEach(addMessage);
      state.notes.forEach(addNote);
      renderSummary();
      suggestions.render();
      renderChoices();
      C.renderProfile(state, act);
    }

    async function act(path, payload) {
      try {
        const data = await api("POST", "/console/api/handoffs/" + handoffId + "/" + path, payload);
        say("");
        return data.result;
      } catch (error) { say(error.message, "error"); return null; }
    }

    document.getElementById("canned").addEventListener("change", (event) => {
      if (event.target.value) document.getElementById("reply-text").value = event.target.value;
    });
    document.getElementById("reply-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = document.getElementById("reply-text");
      const result = await act("reply", { text: box.value });
      if (result) { box.value = ""; if (result.id !== undefined) addMessage(result); }
    });
    document.getElementById("note-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = document.getElementById("note-text");
      if (await act("notes", { text: box.value })) box.value = "";
    });
    document.getElementById("claim").addEventListener("click", () => act("claim"));
    document.getElementById("hand-back").addEventListener("click", () => act("hand-back"));
    document.getElementById("resolve").addEventListener("click", () =>
      act("resolve", { summary: document.getElementById("resolve-summary").value || null }));
    document.getElementById("transfer").addEventListener("click", () => {
      const target = document.getElementById("transfer-to").value;
      act("transfer", { to_agent_id: target === "queue" ? null : Number(target) });
    });

    connect((event, socket) => {
      if (event.type === "watching") {
        load().catch((error) => say(error.message, "error"));
      } else if (event.type === "message") {
        addMessage(event);
      } else if (event.type === "note") {
        addNote(event.note);
      } else if (event.type === "suggestion" && state && event.handoff_id === handoffId) {
        suggestions.upsert(event.suggestion);
      } else if (event.type === "handoff" && state && event.handoff.id === handoffId) {
        state.handoff = event.handoff;
        renderSummary();
        suggestions.render();
        C.renderProfile(state, act);
      } else if (event.type === "profile" || event.type === "resync") {
        load().catch((error) => say(error.message, "error"));
      }
    }, (socket) => socket.send(JSON.stringify({ type: "watch", handoff_id: handoffId })));
  }

  if (C.page === "conversation") conversationPage();
})(window.RapportConsole);
