// Rapport staff console: the live queue and the conversation view.
// Everything shown comes from JSON and is put on the page with textContent only (never
// innerHTML), so whatever a customer typed stays text.
"use strict";

(function () {
  const body = document.body;
  const page = body.dataset.page;
  const me = Number(body.dataset.me);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  // --- helpers ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function say(message, kind) {
    const status = document.getElementById("status");
    status.textContent = message || "";
    status.className = "status" + (kind ? " " + kind : "");
  }

  async function api(method, url, payload) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(payload || {});
    }
    const response = await fetch(url, options);
    let data = {};
    try { data = await response.json(); } catch (_) { /* empty body */ }
    if (response.status === 401) { window.location.assign("/staff/login?next=" + encodeURIComponent(location.pathname)); }
    if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
    return data;
  }

  function ago(iso) {
    if (!iso) return "";
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 60) return Math.round(seconds) + " s";
    if (seconds < 3600) return Math.round(seconds / 60) + " min";
    return Math.round(seconds / 3600) + " h";
  }

  function clock(iso) {
    return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
  }

  function label(text) { return (text || "").replace(/_/g, " "); }

  function customerName(h) { return h.customer_name || ("Customer " + String(h.customer_id).slice(0, 8)); }

  function queueOrder(a, b) {
    return b.priority - a.priority || Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id;
  }

  // --- live socket ----------------------------------------------------------------------

  function connect(onEvent, onOpen) {
    let delay = 500;
    let socket = null;
    function open() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + location.host + "/console/ws");
      socket.addEventListener("open", () => { delay = 500; body.dataset.live = "on"; onOpen(socket); });
      socket.addEventListener("message", (event) => {
        let data;
        try { data = JSON.parse(event.data); } catch (_) { return; }
        onEvent(data, socket);
      });
      socket.addEventListener("close", (event) => {
        body.dataset.live = "off";
        if (event.code === 4401) { window.location.assign("/staff/login"); return; }
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 10000);
      });
    }
    open();
    setInterval(() => { if (socket && socket.readyState === 1) socket.send('{"type":"ping"}'); }, 25000);
  }

  // --- the queue ------------------------------------------------------------------------

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

  // --- one conversation -------------------------------------------------------------------

  function conversationPage() {
    const handoffId = Number(body.dataset.handoff);
    const seen = new Set();
    let state = null;

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

    // --- suggestions: what the NLU found in the customer's messages ------------------------

    const FIELDS = {
      complaint: [["category", "complaint_categories"], ["severity", "severities"], ["description", "long"], ["order_ref", "short"]],
      need: [["category", "need_categories"], ["product", "short"], ["budget", "short"], ["timeframe", "short"], ["words", "long"]],
      fact: [["value", "short"]],
    };

    function editForm(s, item) {
      const inputs = {};
      const rows = FIELDS[s.kind].map(([name, type]) => {
        const current = s.fields[name] || "";
        let input;
        if (type === "long") input = el("textarea", { rows: 2 });
        else if (type === "short") input = el("input", {});
        else input = el("select", {}, state.vocabulary[type].map((v) => el("option", { value: v }, label(v))));
        input.value = current;
        input.setAttribute("aria-label", label(name === "order_ref" ? "order reference" : name));
        inputs[name] = input;
        return el("label", {}, label(name === "order_ref" ? "order reference" : name), " ", input);
      });
      const form = el("form", { class: "suggestion-edit" }, rows,
        el("button", { type: "submit" }, "Record"),
        el("button", { type: "button", class: "cancel", onclick: () => { form.remove(); item.querySelector(".edit").disabled = false; } }, "Cancel"));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const fields = {};
        for (const [name, input] of Object.entries(inputs)) fields[name] = input.value;
        decide(s, "record", fields, form.querySelector('button[type="submit"]'));
      });
      return form;
    }

    function suggestionItem(s) {
      const mine = body.dataset.mine === "yes";
      const item = el("li", { class: "suggestion " + s.status, "data-suggestion": s.id, "data-kind": s.kind, "data-status": s.status },
        el("span", { class: "label" }, s.label));
      if (s.status === "recorded") {
        const ref = s.result && s.result.reference ? " as " + s.result.reference : "";
        item.append(el("span", { class: "done" }, " · recorded", ref));
        return item;
      }
      if (s.status === "recording") { item.append(el("span", { class: "muted" }, " · recording…")); return item; }
      const record = el("button", { type: "button", class: "record", disabled: !mine }, "Record");
      record.addEventListener("click", () => decide(s, "record", null, record));
      const edit = el("button", { type: "button", class: "edit", disabled: !mine }, "Edit");
      edit.addEventListener("click", () => { edit.disabled = true; item.append(editForm(s, item)); });
      const dismiss = el("button", { type: "button", class: "dismiss", disabled: !mine }, "Dismiss");
      dismiss.addEventListener("click", () => decide(s, "dismiss", null, dismiss));
      item.append(el("span", { class: "buttons" }, record, edit, dismiss));
      return item;
    }

    function renderSuggestions() {
      const list = clear(document.getElementById("suggestion-list"));
      for (const s of state.suggestions) list.append(suggestionItem(s));
      document.getElementById("suggestions").hidden = state.suggestions.length === 0;
    }

    function upsertSuggestion(s) {
      const index = state.suggestions.findIndex((x) => x.id === s.id);
      const list = document.getElementById("suggestion-list");
      const shown = list.querySelector('[data-suggestion="' + CSS.escape(s.id) + '"]');
      if (s.status === "dismissed") {
        if (index >= 0) state.suggestions.splice(index, 1);
        if (shown) shown.remove();
      } else if (index >= 0) {
        state.suggestions[index] = s;
        if (shown) shown.replaceWith(suggestionItem(s)); else list.append(suggestionItem(s));
      } else {
        state.suggestions.push(s);
        list.append(suggestionItem(s));
      }
      document.getElementById("suggestions").hidden = state.suggestions.length === 0;
    }

    async function decide(s, action, fields, button) {
      if (button) button.disabled = true;  // a double click sends one request (the server records once anyway)
      const result = await act("suggestions/" + encodeURIComponent(s.id) + "/" + action, fields ? { fields } : {});
      if (result) upsertSuggestion(result);
      else if (button) button.disabled = false;
    }

    function section(title, ...content) {
      return el("section", {}, el("h3", {}, title), ...content);
    }

    function listOf(items, render, attrs) {
      return items.length ? el("ul", attrs || {}, items.map(render)) : el("p", { class: "muted" }, "None recorded.");
    }

    function renderProfile() {
      const aside = clear(document.getElementById("profile"));
      const p = state.profile;
      if (!p) { aside.append(el("p", { class: "error" }, "The profile could not be loaded.")); return; }
      const mine = body.dataset.mine === "yes";
      const v = p.value;
      aside.append(section("Value",
        el("p", { id: "value-tier" }, "Tier: ", v.tier, v.drifting ? " (drifting away)" : ""),
        el("p", {}, "Potential: ", v.potential, " ", v.currency, " · spend in ", v.window_days, " days: ", v.spend_in_window)));
      const s = p.satisfaction;
      aside.append(section("Satisfaction",
        el("p", {}, s.latest ? label(s.latest) : "no readings", s.average ? " · average " + s.average.toFixed(1) + "/5" : "",
          " · ", s.direction),
        el("ol", { class: "trend" }, s.readings.map((r) => el("li", {}, label(r.level), " (", r.channel, ", ", clock(r.at), ")")))));
      const factForm = el("form", { id: "fact-form", class: "inline" },
        el("select", { id: "fact-key", "aria-label": "Fact" }, state.fact_keys.map((k) => el("option", { value: k }, label(k)))),
        el("input", { id: "fact-value", "aria-label": "Value", required: true }),
        el("button", { type: "submit", disabled: !mine }, "Record fact"));
      factForm.addEventListener("submit", (event) => {
        event.preventDefault();
        act("facts", { key: document.getElementById("fact-key").value, value: document.getElementById("fact-value").value });
      });
      aside.append(section("Facts",
        p.facts.length ? null : el("p", { class: "muted" }, "None recorded."),
        el("table", { class: "facts" }, el("tbody", {}, p.facts.map((f) => el("tr", {},
          el("th", {}, label(f.key)), el("td", {}, f.value, f.stale ? " (stale)" : ""),
          el("td", { class: "muted" }, f.source.actor || f.source.channel, " · ", new Date(f.observed_at).toLocaleDateString()))))),
        factForm));
      aside.append(section("Needs", listOf(p.needs, (n) => el("li", {},
        el("strong", {}, n.product || label(n.category)), n.budget ? " · " + n.budget : "", n.timeframe ? " · " + n.timeframe : "",
        el("div", { class: "words" }, "“", n.words, "”")))));
      aside.append(section("Complaints", listOf(p.complaints, (c) => {
        const status = el("select", { "aria-label": "Status of " + c.reference },
          ["in_progress", "resolved", "reopened"].map((x) => el("option", { value: x }, label(x))));
        const resolution = el("input", { "aria-label": "Resolution for " + c.reference, placeholder: "Resolution" });
        const form = el("form", { class: "inline complaint-form", "data-reference": c.reference }, status, resolution,
          el("button", { type: "submit", disabled: !mine }, "Update"));
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          act("complaints/" + encodeURIComponent(c.reference), { status: status.value, resolution: resolution.value });
        });
        return el("li", { class: c.open ? "open" : "closed", "data-reference": c.reference },
          el("strong", {}, c.reference), " ", label(c.category), " · ", c.severity, " · ",
          el("span", { class: "complaint-status" }, label(c.status)),
          el("div", { class: "words" }, c.description),
          c.resolution ? el("div", { class: "muted" }, "Resolution: ", c.resolution) : null,
          c.open ? form : null);
      })));
      aside.append(section("Follow-ups promised", listOf(p.follow_ups, (f) => el("li", { class: f.done_at ? "closed" : "open" },
        f.complaint, " by ", new Date(f.due_at).toLocaleString(), f.done_at ? " (done)" : "",
        f.note ? el("div", { class: "muted" }, f.note) : null))));
      aside.append(section("Consents", listOf(p.consents, (c) => el("li", {},
        label(c.purpose), " via ", c.channel, c.active ? " (granted " : " (revoked ",
        new Date(c.active ? c.granted_at : c.revoked_at).toLocaleDateString(), ")",
        el("div", { class: "muted" }, "“", c.wording, "”")))));
      aside.append(section("Interactions", listOf(p.interactions, (i) => el("li", {},
        i.channel, " · ", new Date(i.started_at).toLocaleString(), i.summary ? el("div", { class: "muted" }, i.summary) : null))),
        el("p", { class: "muted" }, "Known on: ", p.identities.join(", ")));
    }

    async function load() {
      state = await api("GET", "/console/api/handoffs/" + handoffId);
      clear(document.getElementById("transcript"));
      clear(document.getElementById("notes"));
      seen.clear();
      state.transcript.forEach(addMessage);
      state.notes.forEach(addNote);
      renderSummary();
      renderSuggestions();
      renderChoices();
      renderProfile();
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
        upsertSuggestion(event.suggestion);
      } else if (event.type === "handoff" && state && event.handoff.id === handoffId) {
        state.handoff = event.handoff;
        renderSummary();
        renderSuggestions();
        renderProfile();
      } else if (event.type === "profile" || event.type === "resync") {
        load().catch((error) => say(error.message, "error"));
      }
    }, (socket) => socket.send(JSON.stringify({ type: "watch", handoff_id: handoffId })));
  }

  if (page === "queue") queuePage();
  else if (page === "conversation") conversationPage();
})();
