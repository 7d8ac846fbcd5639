// Rapport marketer studio: the responses page: variations with conditions and buttons.
"use strict";

(function (S) {
  const { $, el, say, api, saved } = S;

  function responses() {
    let data = null;
    let current = null;

    function conditionRow(condition) {
      const slotSelect = el("select", { class: "cond-slot", "aria-label": "Slot" },
        ...Object.keys(data.slots).sort().map((name) => el("option", { value: name, selected: name === condition.name }, name)));
      const valueBox = el("span", { class: "cond-value-box" });
      function valueInput() {
        const spec = data.slots[slotSelect.value] || {};
        const input = spec.values && spec.values.length
          ? el("select", { class: "cond-value", "aria-label": "Value" },
               ...spec.values.map((v) => el("option", { value: String(v), selected: String(v) === String(condition.value) }, String(v))))
          : el("input", { class: "cond-value", "aria-label": "Value", value: condition.value === undefined ? "" : String(condition.value) });
        valueBox.replaceChildren(input);
      }
      slotSelect.addEventListener("change", valueInput);
      valueInput();
      const row = el("div", { class: "cond" }, "when ", slotSelect, " is ", valueBox,
        el("button", { type: "button", class: "secondary small", onclick: () => row.remove() }, "Remove"));
      return row;
    }

    function buttonRow(button) {
      const row = el("div", { class: "button-row" },
        el("input", { class: "b-title", "aria-label": "Button title", placeholder: "Title", value: button.title || "" }),
        el("input", { class: "b-payload", "aria-label": "Button payload", placeholder: "/intent", value: button.payload || "" }),
        el("button", { type: "button", class: "secondary small", onclick: () => row.remove() }, "Remove"));
      return row;
    }

    function variationCard(variation, index) {
      const conds = el("div", { class: "conds" }, ...(variation.condition || []).map(conditionRow));
      const buttons = el("div", { class: "buttons" }, ...(variation.buttons || []).map(buttonRow));
      const extra = {};
      for (const key of Object.keys(variation)) if (!["text", "condition", "buttons"].includes(key)) extra[key] = variation[key];
      const card = el("fieldset", { class: "variation" },
        el("legend", {}, "Variation " + (index + 1)),
        el("div", { class: "cond-head" }, (variation.condition || []).length ? "Used " : "Used when no conditional variation fits",
          el("button", { type: "button", class: "secondary small", onclick: () => conds.append(conditionRow({ name: "value_tier", value: "top" })) }, "Add a condition")),
        conds,
        el("label", {}, "Text", el("textarea", { class: "v-text", rows: 3 }, variation.text || "")),
        el("div", { class: "cond-head" }, "Buttons",
          el("button", { type: "button", class: "secondary small", onclick: () => buttons.append(buttonRow({})) }, "Add a button")),
        buttons,
        el("button", { type: "button", class: "secondary small", onclick: () => card.remove() }, "Remove this variation"));
      card.dataset.extra = JSON.stringify(extra);
      return card;
    }

    function collect() {
      return Array.from(document.querySelectorAll("#variations .variation")).map((card) => {
        const variation = JSON.parse(card.dataset.extra || "{}");
        const conditions = Array.from(card.querySelectorAll(".cond")).map((row) => {
          const slot = row.querySelector(".cond-slot").value;
          let value = row.querySelector(".cond-value").value;
          const spec = data.slots[slot] || {};
          if (spec.type === "bool") value = value === "true";
          else if (spec.type === "float" && value !== "" && !isNaN(Number(value))) value = Number(value);
          return { type: "slot", name: slot, value };
        });
        if (conditions.length) variation.condition = conditions;
        variation.text = card.querySelector(".v-text").value;
        const buttons = Array.from(card.querySelectorAll(".button-row")).map((row) => ({
          title: row.querySelector(".b-title").value, payload: row.querySelector(".b-payload").value,
        })).filter((b) => b.title);
        if (buttons.length) variation.buttons = buttons;
        return variation;
      });
    }

    function open(name) {
      current = name;
      $("response-name").textContent = name;
      const variations = data.responses[name] || [{ text: "" }];
      $("variations").replaceChildren(...variations.map(variationCard));
      $("add-variation").hidden = false;
      $("save-response").hidden = false;
      for (const item of document.querySelectorAll("#response-list li")) item.classList.toggle("current", item.dataset.name === name);
      history.replaceState(null, "", "/studio/responses?name=" + encodeURIComponent(name));
    }

    function list() {
      const filter = $("response-filter").value.toLowerCase();
      const names = Object.keys(data.responses).sort().filter((n) => !filter || n.includes(filter) ||
        data.responses[n].some((v) => (v.text || "").toLowerCase().includes(filter)));
      $("response-list").replaceChildren(...names.map((name) => {
        const edited = JSON.stringify(data.responses[name]) !== JSON.stringify(data.live[name]);
        const item = el("li", {}, el("button", { type: "button", class: "pick-item", onclick: () => open(name) },
          name, edited ? el("span", { class: "tag draft" }, "edited") : null));
        item.dataset.name = name;
        return item;
      }));
    }

    async function load() {
      data = (await api("GET", "/studio/api/responses")).data;
      list();
      const wanted = new URLSearchParams(location.search).get("name") || current;
      if (wanted && data.responses[wanted]) open(wanted);
    }

    $("response-filter").addEventListener("input", list);
    $("add-variation").addEventListener("click", () => $("variations").append(variationCard({ text: "" }, $("variations").children.length)));
    $("save-response").addEventListener("click", async () => {
      const result = await saved(api("POST", "/studio/api/responses/" + encodeURIComponent(current), { variations: collect() }), current);
      if (result) await load();
    });
    $("new-response").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("new-response-name").value.trim();
      if (!/^utter_[a-z0-9_]+$/.test(name)) { say("A response name looks like utter_something.", "error"); return; }
      data.responses[name] = data.responses[name] || [{ text: "" }];
      list(); open(name);
      say("New response: give it a text and save. A new response name needs retraining to be used in rules.", "ok");
    });
    document.addEventListener("studio:reload", load);
    load().catch((error) => say(error.message, "error"));
  }

  S.pages["studio-responses"] = responses;
})(window.RapportStudio);
