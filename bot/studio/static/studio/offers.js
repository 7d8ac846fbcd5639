// Rapport marketer studio: the offers page: each offer's text, matches and eligibility.
"use strict";

(function (S) {
  const { $, el, say, api, saved } = S;

  function offers() {
    let meta = null;
    const words = (value) => (value || []).join(", ");
    const split = (value) => value.split(",").map((s) => s.trim()).filter(Boolean);

    function checks(name, options, chosen) {
      return el("span", { class: "checks" }, ...options.map((option) => el("label", {},
        el("input", { type: "checkbox", "data-group": name, value: option, checked: (chosen || []).includes(option) }), " " + option)));
    }

    function card(offer) {
      const matches = offer.matches || {};
      const eligibility = offer.eligibility || {};
      const field = (label, input) => el("label", {}, label, input);
      return el("fieldset", { class: "offer" },
        el("legend", {}, offer.title || offer.id || "New offer"),
        field("Id", el("input", { "data-k": "id", value: offer.id || "", required: true })),
        field("Title", el("input", { "data-k": "title", value: offer.title || "" })),
        field("Text shown to the customer", el("textarea", { "data-k": "text", rows: 2 }, offer.text || "")),
        field("Matches products (comma-separated)", el("input", { "data-k": "products", value: words(matches.products), list: "product-ids" })),
        field("Matches categories", el("input", { "data-k": "categories", value: words(matches.categories) })),
        el("div", { class: "field" }, "Value tiers (none ticked: everyone) ", checks("value_tiers", meta.value_tiers, eligibility.value_tiers)),
        el("div", { class: "field" }, "Channels (none ticked: all) ", checks("channels", meta.channels, eligibility.channels)),
        field("Segments (comma-separated, optional)", el("input", { "data-k": "segments", value: words(eligibility.segments) })),
        field("Consent purpose", el("select", { "data-k": "consent" }, ...meta.purposes.map((p) =>
          el("option", { value: p, selected: (offer.consent || "offers") === p }, p)))),
        field("Re-offer pause after a decline (days)", el("input", { "data-k": "reoffer_after_days", type: "number", min: 0, value: offer.reoffer_after_days ?? 30 })),
        field("Valid from", el("input", { "data-k": "valid_from", type: "date", value: offer.valid_from || "" })),
        field("Valid to", el("input", { "data-k": "valid_to", type: "date", value: offer.valid_to || "" })),
        el("button", { type: "button", class: "secondary small", onclick: (e) => e.target.closest("fieldset").remove() }, "Remove this offer"));
    }

    function collect() {
      return Array.from(document.querySelectorAll("#offers .offer")).map((box) => {
        const value = (k) => box.querySelector('[data-k="' + k + '"]').value.trim();
        const ticked = (group) => Array.from(box.querySelectorAll('input[data-group="' + group + '"]:checked')).map((i) => i.value);
        const eligibility = {};
        if (ticked("value_tiers").length) eligibility.value_tiers = ticked("value_tiers");
        if (ticked("channels").length) eligibility.channels = ticked("channels");
        if (split(value("segments")).length) eligibility.segments = split(value("segments"));
        const pause = value("reoffer_after_days");
        return {
          id: value("id"), title: value("title"), text: value("text"),
          matches: { products: split(value("products")), categories: split(value("categories")) },
          eligibility, consent: value("consent"),
          reoffer_after_days: pause === "" ? null : Number(pause),
          valid_from: value("valid_from") || null, valid_to: value("valid_to") || null,
        };
      });
    }

    async function load() {
      meta = (await api("GET", "/studio/api/offers")).data;
      const datalist = el("datalist", { id: "product-ids" }, ...meta.products.map((p) => el("option", { value: p })));
      $("offers").replaceChildren(datalist, ...meta.offers.map(card));
    }

    $("add-offer").addEventListener("click", () => $("offers").append(card({ consent: "offers", reoffer_after_days: 30 })));
    $("save-offers").addEventListener("click", async () => {
      if (await saved(api("POST", "/studio/api/offers", { offers: collect() }), "Offers")) await load();
    });
    document.addEventListener("studio:reload", load);
    load().catch((error) => say(error.message, "error"));
  }

  S.pages["studio-offers"] = offers;
})(window.RapportStudio);
