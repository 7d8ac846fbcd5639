// Rapport staff console, one conversation: what the NLU found in the customer's messages
// (complaints, needs, facts), for the agent to record as found, edit first, or dismiss.
"use strict";

(function (C) {
  const { body, el, clear, label } = C;

  // `view.state()` is the conversation as last loaded; `view.act(path, payload)` posts to it.
  C.suggestions = function (view) {
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
        else input = el("select", {}, view.state().vocabulary[type].map((v) => el("option", { value: v }, label(v))));
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
      const state = view.state();
      const list = clear(document.getElementById("suggestion-list"));
      for (const s of state.suggestions) list.append(suggestionItem(s));
      document.getElementById("suggestions").hidden = state.suggestions.length === 0;
    }

    function upsertSuggestion(s) {
      const state = view.state();
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
      const result = await view.act("suggestions/" + encodeURIComponent(s.id) + "/" + action, fields ? { fields } : {});
      if (result) upsertSuggestion(result);
      else if (button) button.disabled = false;
    }

    return { render: renderSuggestions, upsert: upsertSuggestion };
  };
})(window.RapportConsole);
