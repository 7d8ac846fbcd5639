// Rapport marketer studio: responses, offers and YAML editors, preview, publish, history.
// Everything shown comes from JSON and goes on the page with textContent only.
"use strict";

(function () {
  const page = document.body.dataset.page;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "value") node.value = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function say(message, kind) {
    $("status").textContent = message || "";
    $("status").className = "status" + (kind ? " " + kind : "");
  }

  class ApiError extends Error {
    constructor(message, data, status) { super(message); this.data = data; this.status = status; }
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
    if (response.status === 401) window.location.assign("/staff/login?next=" + encodeURIComponent(location.pathname));
    if (!response.ok) throw new ApiError(data.error || ("HTTP " + response.status), data, response.status);
    return { data, status: response.status };
  }

  const when = (iso) => iso ? new Date(iso).toLocaleString() : "";

  // --- problems, linked to their place ---------------------------------------------------

  function problemItem(problem) {
    const where = problem.file ? problem.file + (problem.line ? ":" + problem.line : "") : "";
    const link = where
      ? el("a", { href: "/studio/files?path=" + encodeURIComponent(problem.file) + "&line=" + (problem.line || 1),
                  class: "where" }, where)
      : null;
    const tags = [el("span", { class: "tag " + problem.severity }, problem.severity)];
    if (problem.new === false) tags.push(el("span", { class: "tag old" }, "already live"));
    if (problem.source === "rasa") tags.push(el("span", { class: "tag rasa" }, "Rasa"));
    return el("li", { class: "problem " + problem.severity }, ...tags, link, " ", problem.message);
  }

  function showProblems(list, problems) {
    if (!list) return;
    list.replaceChildren(...(problems || []).map(problemItem));
  }

  // --- the draft bar (every page) --------------------------------------------------------

  let polling = null;

  function describeChange(change) {
    if (!change.changed.length) return "the same as the live version.";
    const files = change.changed.length + " changed file" + (change.changed.length > 1 ? "s" : "");
    if (change.needs_training) return files + " · changes intents, flows or forms: needs retraining when published.";
    const what = change.kind === "wording+offers" ? "wording and offers" : change.kind;
    return files + " · " + what + " only: goes live immediately when published, no retraining.";
  }

  function renderStatus(status) {
    const change = status.draft.change;
    $("draft-summary").textContent = describeChange(change) +
      (status.draft.behind ? " (Someone published since you started; your edits will be merged.)" : "");
    const rasa = status.rasa || {};
    const rasaText = {
      pending: "Rasa check queued…", running: "Rasa's validator is checking your draft…",
      passed: "Rasa's validator: passed (" + rasa.seconds + " s).", failed: "Rasa's validator found problems.",
      error: "Rasa's validator could not run.", "not-needed": "",
    }[rasa.status] || "";
    $("rasa-state").textContent = rasaText + (status.blocking ? " · " + status.blocking + " problem(s) to fix before publishing." : "");
    $("publish").disabled = !change.changed.length || status.blocking > 0 || (status.job && status.job.state === "running");
    $("discard").disabled = !change.changed.length;
    showJob(status.job);
    if (rasa.status === "pending" || rasa.status === "running" || (status.job && status.job.state === "running")) schedulePoll();
    document.dispatchEvent(new CustomEvent("studio:status", { detail: status }));
  }

  function showJob(job) {
    const box = $("job");
    if (!job || (job.state === "done" && job.elapsed > 30)) { box.hidden = true; return; }
    box.hidden = false;
    $("job-progress").value = job.fraction;
    const owner = job.owner ? job.owner + ": " : "";
    $("job-step").textContent = job.state === "failed" ? "Not published: " + job.error
      : job.state === "done" ? "Version " + job.version + " is live (" + job.seconds + " s)."
      : owner + job.step + " (" + Math.round(job.fraction * 100) + "%, " + job.elapsed + " s)";
    box.className = "job " + job.state;
    if (job.state === "failed") showProblems($("publish-problems"), job.problems);
  }

  function schedulePoll() {
    if (polling) return;
    polling = setTimeout(async () => { polling = null; await refreshStatus(); }, 1000);
  }

  async function refreshStatus() {
    try { renderStatus((await api("GET", "/studio/api/status")).data); } catch (error) { say(error.message, "error"); }
  }

  $("publish-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = $("publish-message").value.trim();
    if (!message) { say("Say in a few words what this change does; it goes into the history.", "error"); $("publish-message").focus(); return; }
    $("publish").disabled = true;
    showProblems($("publish-problems"), []);
    try {
      const { data, status } = await api("POST", "/studio/api/publish", { message });
      $("publish-message").value = "";
      say(status === 202 ? "Publishing: the new model is being trained. You can keep this page open."
                         : "Published: version " + data.job.version + " is live.", "ok");
    } catch (error) {
      say(error.message, "error");
      showProblems($("publish-problems"), error.data && error.data.problems);
    }
    await refreshStatus();
    document.dispatchEvent(new Event("studio:reload"));
  });

  $("discard").addEventListener("click", async () => {
    if (!confirm("Throw away every change in your draft?")) return;
    try { renderStatus((await api("POST", "/studio/api/discard")).data); say("Draft discarded.", "ok"); }
    catch (error) { say(error.message, "error"); }
    document.dispatchEvent(new Event("studio:reload"));
  });

  async function saved(promise, what) {
    try {
      const { data } = await promise;
      renderStatus(data);
      const fresh = (data.problems || []).filter((p) => p.new && p.severity === "error");
      say(fresh.length ? what + " saved to your draft, with " + fresh.length + " problem(s) to fix before publishing."
                       : what + " saved to your draft.", fresh.length ? "error" : "ok");
      return data;
    } catch (error) {
      say(error.message, "error");
      return null;
    }
  }

  // --- overview --------------------------------------------------------------------------

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

  // --- responses -------------------------------------------------------------------------

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

  // --- offers ----------------------------------------------------------------------------

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

  // --- raw YAML --------------------------------------------------------------------------

  function files() {
    const code = $("code");
    let currentPath = null;
    let problems = [];

    function paint() {
      const bad = problems.filter((p) => p.file === currentPath && p.line).map((p) => p.line);
      const count = highlightYaml($("highlight"), code.value, bad);
      $("gutter").textContent = Array.from({ length: count }, (_, i) => String(i + 1)).join("\n") + "\n";
      syncScroll();
    }

    function syncScroll() {
      $("highlight").scrollTop = code.scrollTop;
      $("highlight").scrollLeft = code.scrollLeft;
      $("gutter").scrollTop = code.scrollTop;
    }

    function goToLine(line) {
      const lines = code.value.split("\n");
      const start = lines.slice(0, Math.max(0, line - 1)).reduce((n, l) => n + l.length + 1, 0);
      code.focus();
      code.setSelectionRange(start, start + (lines[line - 1] || "").length);
      const lineHeight = parseFloat(getComputedStyle(code).lineHeight) || 20;
      code.scrollTop = Math.max(0, (line - 5) * lineHeight);
      syncScroll();
    }

    function showFileProblems() {
      const mine = problems.filter((p) => p.file === currentPath);
      $("file-problems").replaceChildren(...(mine.length ? mine.map((p) => {
        const item = problemItem(p);
        const link = item.querySelector("a.where");
        if (link) link.addEventListener("click", (e) => { e.preventDefault(); goToLine(p.line || 1); });
        return item;
      }) : [el("li", { class: "muted" }, "No problems in this file.")]));
      paint();
    }

    let opening = 0;

    async function openFile(path, line) {
      const ticket = ++opening;
      const { data } = await api("GET", "/studio/api/files?path=" + encodeURIComponent(path));
      if (ticket !== opening) return; // another file was picked meanwhile: that one wins
      currentPath = path;
      $("file-name").textContent = path;
      code.value = data.text;
      for (const item of document.querySelectorAll("#file-list li")) item.classList.toggle("current", item.dataset.path === path);
      history.replaceState(null, "", "/studio/files?path=" + encodeURIComponent(path));
      showFileProblems();
      if (line) goToLine(line);
    }

    async function loadList() {
      const { data } = await api("GET", "/studio/api/files");
      $("file-list").replaceChildren(...data.files.map((file) => {
        const item = el("li", {}, el("button", { type: "button", class: "pick-item", onclick: () => openFile(file.path) },
          file.path, file.changed ? el("span", { class: "tag draft" }, file.new ? "new" : "edited") : null));
        item.dataset.path = file.path;
        return item;
      }));
      return data.files;
    }

    async function save() {
      if (!currentPath) return;
      const data = await saved(api("POST", "/studio/api/files", { path: currentPath, text: code.value }), currentPath);
      if (data) {
        problems = data.problems;
        showFileProblems();
        await loadList();
        const first = problems.find((p) => p.file === currentPath && p.line && p.severity === "error");
        if (first) goToLine(first.line);
      }
    }

    code.addEventListener("input", paint);
    code.addEventListener("scroll", syncScroll);
    code.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
      if (event.key === "Tab") { event.preventDefault(); code.setRangeText("  ", code.selectionStart, code.selectionEnd, "end"); paint(); }
    });
    $("save-file").addEventListener("click", save);
    $("delete-file").addEventListener("click", async () => {
      if (!currentPath || !confirm("Delete " + currentPath + " from your draft?")) return;
      if (await saved(api("POST", "/studio/api/files/delete", { path: currentPath }), currentPath)) {
        const list = await loadList();
        if (list.length) await openFile(list[0].path);
      }
    });
    $("new-file").addEventListener("submit", async (event) => {
      event.preventDefault();
      const path = $("new-file-name").value.trim();
      const kind = path.startsWith("data/nlu/") ? "nlu" : path.startsWith("data/stories/") ? "stories" : "rules";
      const data = await saved(api("POST", "/studio/api/files", { path, text: 'version: "3.1"\n' + kind + ":\n" }), path);
      if (data) { problems = data.problems; await loadList(); await openFile(path); }
    });
    document.addEventListener("studio:status", (event) => { problems = event.detail.problems; if (currentPath) showFileProblems(); });
    document.addEventListener("studio:reload", () => { if (currentPath) openFile(currentPath); });

    const params = new URLSearchParams(location.search);
    loadList().then((list) => openFile(params.get("path") || (list[0] && list[0].path), Number(params.get("line")) || 0))
      .catch((error) => say(error.message, "error"));
  }

  // --- preview ---------------------------------------------------------------------------

  function preview() {
    const transcript = $("preview-transcript");
    const input = $("preview-text");
    const sendButton = document.querySelector("#preview-say button");

    function add(sender, text, buttons) {
      const item = el("li", { class: "turn " + sender }, el("span", { class: "who" }, sender === "customer" ? "Customer" : "Bot"),
        el("span", { class: "text" }, text));
      if (buttons && buttons.length) {
        item.append(el("span", { class: "choices" }, ...buttons.map((b) =>
          el("button", { type: "button", class: "secondary small", onclick: () => send(b.payload, b.title) }, b.title))));
      }
      transcript.append(item);
      item.scrollIntoView({ block: "nearest" });
    }

    function ready(isReady) { input.disabled = !isReady; sendButton.disabled = !isReady; if (isReady) input.focus(); }

    async function send(text, shown) {
      add("customer", shown || text);
      try {
        const { data } = await api("POST", "/studio/api/preview/messages", { text });
        for (const reply of data.replies) add("bot", reply.text, reply.buttons);
        if (!data.replies.length) add("bot", "(no reply)");
      } catch (error) { say(error.message, "error"); }
    }

    async function watch() {
      const { data } = await api("GET", "/studio/api/preview");
      const job = data.job;
      $("preview-job").hidden = !job || data.ready;
      if (job) {
        $("preview-progress").value = job.fraction;
        $("preview-step").textContent = job.state === "failed" ? job.error : job.step + " (" + Math.round(job.fraction * 100) + "%)";
      }
      if (data.ready) { ready(true); say("The preview is ready: say hello.", "ok"); return; }
      if (job && job.state === "failed") { say(job.error, "error"); return; }
      setTimeout(watch, 1000);
    }

    $("preview-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      transcript.replaceChildren();
      ready(false);
      try {
        const { data } = await api("POST", "/studio/api/preview", {
          value_tier: $("preview-tier").value, channel: $("preview-channel").value, first_name: $("preview-name").value,
        });
        if (data.ready) { ready(true); say("Previewing your draft on the live model (wording changes only): say hello.", "ok"); }
        else { say("Your draft changes the dialogue, so it is being trained for the preview…", "ok"); watch(); }
      } catch (error) { say(error.message, "error"); }
    });
    $("preview-say").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text) { input.value = ""; send(text); }
    });
  }

  // --- history ---------------------------------------------------------------------------

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

  // --- start -----------------------------------------------------------------------------

  ({ "studio-overview": overview, "studio-responses": responses, "studio-offers": offers,
     "studio-files": files, "studio-preview": preview, "studio-history": historyPage }[page] || (() => {}))();
  refreshStatus();
  let wasRunning = false;
  document.addEventListener("studio:status", (event) => {
    const running = !!(event.detail.job && event.detail.job.state === "running");
    if (wasRunning && !running) document.dispatchEvent(new Event("studio:reload"));
    wasRunning = running;
  });
})();
