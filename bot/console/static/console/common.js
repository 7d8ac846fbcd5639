// Rapport staff console, shared by its pages: building DOM nodes, the JSON API, the live socket.
// Everything shown comes from JSON and is put on the page with textContent only (never
// innerHTML), so whatever a customer typed stays text. The console's scripts load in order
// (see bot/console/pages.py) and share window.RapportConsole.
"use strict";

window.RapportConsole = (function () {
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

  return { body, page, me, el, clear, say, api, ago, clock, label, customerName, queueOrder, connect };
})();
