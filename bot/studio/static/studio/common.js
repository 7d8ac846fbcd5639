// Rapport marketer studio, shared by its pages: building DOM nodes, the JSON API, problems.
// Everything shown comes from JSON and goes on the page with textContent only. The studio's
// scripts load in order (see bot/studio/pages.py) and share window.RapportStudio; each page
// file adds its page to `pages`, and start.js starts the one this shell is for.
"use strict";

window.RapportStudio = (function () {
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

  return { page, $, el, say, ApiError, api, when, problemItem, showProblems, pages: {} };
})();
