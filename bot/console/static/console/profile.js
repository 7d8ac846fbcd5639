// Rapport staff console, one conversation: the customer's profile beside the transcript
// (value, satisfaction, facts, needs, complaints, follow-ups, consents, interactions).
"use strict";

(function (C) {
  const { body, el, clear, clock, label } = C;

  function section(title, ...content) {
    return el("section", {}, el("h3", {}, title), ...content);
  }

  function listOf(items, render, attrs) {
    return items.length ? el("ul", attrs || {}, items.map(render)) : el("p", { class: "muted" }, "None recorded.");
  }

  // `state` is the conversation as last loaded; `act(path, payload)` posts to it.
  C.renderProfile = function (state, act) {
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
  };
})(window.RapportConsole);
