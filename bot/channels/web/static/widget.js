/*
 * Rapport chat widget. Embed on any page with one tag:
 *
 *   <script src="https://GATEWAY/static/widget.js" async
 *           data-title="Chat with us"
 *           data-user-id="42" data-user-hash="HMAC-SHA256 hex of the id"></script>
 *
 * data-user-id / data-user-hash are optional (identified mode). data-open="true" opens the
 * panel on load. A page URL with ?link=<token> (a "continue on the web" link the bot gave on
 * another channel) opens the panel and asks first: only a click on "Continue here" redeems the
 * link and carries on as that customer. The widget talks only to the gateway it was loaded from.
 * No dependencies, no build step. All text reaches the page through textContent.
 */
(function () {
  "use strict";

  var script = document.currentScript ||
    document.querySelector('script[src*="/static/widget.js"]');
  if (!script || window.__rapportWidget) return;
  window.__rapportWidget = true;

  var GATEWAY = new URL(script.src, location.href).origin;
  var WS_URL = GATEWAY.replace(/^http/, "ws") + "/web/ws";
  var config = {
    title: script.getAttribute("data-title") || "Chat with us",
    userId: script.getAttribute("data-user-id") || "",
    userHash: script.getAttribute("data-user-hash") || "",
    open: script.getAttribute("data-open") === "true",
  };
  var STORAGE_KEY = "rapport:" + GATEWAY + (config.userId ? ":user:" + config.userId : "");
  var BACKOFF_BASE_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var MAX_CHARS = 4000;

  // ---- persisted state: the session token, unsent messages, whether the panel is open ----

  function load() {
    try {
      var raw = JSON.parse(localStorage.getItem(STORAGE_KEY) || "{}");
      return { token: raw.token || null, outbox: Array.isArray(raw.outbox) ? raw.outbox : [], open: !!raw.open };
    } catch (e) {
      return { token: null, outbox: [], open: false };
    }
  }
  var state = load();
  // A link in the address is only offered: anyone can send anyone such a link, so it is
  // redeemed (`link`, sent once, then dropped) only after the visitor clicks to continue.
  var offeredLink = new URLSearchParams(location.search).get("link");
  var link = null;
  var linkRefusal = null;  // shown once the history is on screen
  function dropLink() {
    link = null;
    offeredLink = null;
    try {
      var url = new URL(location.href);
      url.searchParams.delete("link");
      window.history.replaceState(window.history.state, "", url.toString());
    } catch (e) { /* the address bar keeps the spent link; harmless */ }
  }
  function save() {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) { /* private mode: the session lasts as long as the page */ }
  }

  function newMessageId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);  // randomUUID needs a secure context; host pages may be http
    return "m-" + Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  // ---- DOM ----

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text != null) node.textContent = text;
    return node;
  }

  function chatIcon() {  // a speech bubble drawn as SVG: no emoji font needed on the host
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "26");
    svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  var host = el("div", { id: "rapport-chat" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: GATEWAY + "/static/widget.css" }));

  var launcher = el("button", {
    type: "button", class: "launcher", "aria-label": "Open chat",
    "aria-expanded": "false", "aria-controls": "rapport-panel",
  });
  launcher.appendChild(chatIcon());
  var badge = el("span", { class: "badge", "aria-hidden": "true" });
  badge.hidden = true;
  launcher.appendChild(badge);
  var unread = 0;

  var panel = el("section", {
    id: "rapport-panel", class: "panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "rapport-title",
  });
  panel.hidden = true;
  var header = el("header", { class: "header" });
  header.appendChild(el("h2", { id: "rapport-title", class: "title" }, config.title));
  var newButton = el("button", { type: "button", class: "icon-button new", "aria-label": "Start a new conversation", title: "New conversation" }, "New");
  var closeButton = el("button", { type: "button", class: "icon-button close", "aria-label": "Close chat", title: "Close" }, "\u00D7");
  header.appendChild(newButton);
  header.appendChild(closeButton);

  var status = el("div", { class: "status", role: "status", "aria-live": "polite" });
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
  var typing = el("div", { class: "typing", role: "status", "aria-label": "The assistant is typing" });
  typing.hidden = true;
  for (var i = 0; i < 3; i++) typing.appendChild(el("span", { class: "dot", "aria-hidden": "true" }));
  var quick = el("div", { class: "quick-replies", role: "group", "aria-label": "Quick replies" });
  var form = el("form", { class: "composer" });
  var label = el("label", { for: "rapport-input", class: "visually-hidden" }, "Your message");
  var input = el("textarea", {
    id: "rapport-input", rows: "1", maxlength: String(MAX_CHARS), autocomplete: "off",
    placeholder: "Type a message\u2026", "aria-describedby": "rapport-hint",
  });
  var hint = el("span", { id: "rapport-hint", class: "visually-hidden" }, "Press Enter to send, Shift+Enter for a new line.");
  var sendButton = el("button", { type: "submit", class: "send", "aria-label": "Send message" }, "Send");
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(hint);
  form.appendChild(sendButton);

  [header, status, log, typing, quick, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---- rendering ----

  var SAFE_PROTOCOLS = { "http:": true, "https:": true, "mailto:": true };
  // [label](url) | **bold** | *italic* | _italic_ | bare http(s) URL
  var INLINE = /\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^*\n]+)\*\*|\*([^*\n]+)\*|(?<![\w])_([^_\n]+)_(?![\w])|(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])/g;

  function safeLink(text, href) {
    var url;
    try { url = new URL(href); } catch (e) { return null; }
    if (!SAFE_PROTOCOLS[url.protocol]) return null;
    var a = el("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, text);
    return a;
  }

  // Basic markdown, built node by node: the text is never parsed as HTML.
  function renderInline(text, parent) {
    var last = 0, match;
    INLINE.lastIndex = 0;
    var matches = [];
    while ((match = INLINE.exec(text)) !== null) matches.push(match);
    matches.forEach(function (m) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var node = null;
      if (m[1] !== undefined) node = safeLink(m[1], m[2]);
      else if (m[3] !== undefined) { node = el("strong"); renderInline(m[3], node); }
      else if (m[4] !== undefined || m[5] !== undefined) { node = el("em"); renderInline(m[4] !== undefined ? m[4] : m[5], node); }
      else if (m[6] !== undefined) node = safeLink(m[6], m[6]);
      parent.appendChild(node || document.createTextNode(m[0]));
      last = m.index + m[0].length;
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  var WHO = { customer: "You", bot: "Assistant", agent: "Agent", system: "Notice" };
  var rendered = {};  // message ids and reply keys already on screen

  function formatTime(iso) {
    var date = iso ? new Date(iso) : new Date();
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // The newest message stays in view. The log shrinks when quick replies or the typing dots
  // appear below it (or the window gets smaller), after it was scrolled to the bottom: while
  // the customer has not scrolled up, it is scrolled to the bottom again.
  var pinned = true;
  log.addEventListener("scroll", function () {
    pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  });
  function showNewest() {
    log.scrollTop = log.scrollHeight;
    pinned = true;
  }
  if (window.ResizeObserver) {
    new ResizeObserver(function () { if (pinned) log.scrollTop = log.scrollHeight; }).observe(log);
  }

  function addMessage(sender, text, createdAt, key) {
    if (key && rendered[key]) return rendered[key];
    var item = el("div", { class: "message from-" + (WHO[sender] ? sender : "bot") });
    item.appendChild(el("span", { class: "visually-hidden" }, (WHO[sender] || "Assistant") + " said:"));
    var bubble = el("div", { class: "bubble" });
    if (sender === "customer") bubble.textContent = text;
    else renderInline(text, bubble);
    item.appendChild(bubble);
    var meta = el("div", { class: "meta" });
    var time = el("time", { datetime: createdAt || new Date().toISOString() }, formatTime(createdAt));
    meta.appendChild(time);
    item.appendChild(meta);
    log.appendChild(item);
    if (key) rendered[key] = item;
    showNewest();
    return item;
  }

  function setDelivery(item, text, failed) {
    if (!item) return;
    var meta = item.querySelector(".meta");
    var old = meta.querySelector(".delivery");
    if (old) old.remove();
    item.classList.toggle("failed", !!failed);
    if (text) meta.appendChild(el("span", { class: "delivery" }, text));
  }

  function notice(text, kind) {
    var attrs = { class: "notice" + (kind ? " " + kind : "") };
    if (kind === "error") attrs.role = "alert";
    var item = el("div", attrs, text);
    log.appendChild(item);
    showNewest();
  }

  var LINK_OFFER = "You opened a link to continue a conversation from another chat, such as " +
    "Telegram. Continue it here? This browser will then chat as the customer from that chat, " +
    "with what they told us. Only continue if you asked for this link yourself.";

  function offerLink() {
    var card = el("div", { class: "notice link-offer", role: "group", "aria-label": "Continue another chat here?" });
    card.appendChild(el("p", {}, LINK_OFFER));
    var accept = el("button", { type: "button", class: "quick-reply" }, "Continue here");
    var decline = el("button", { type: "button", class: "quick-reply" }, "No, stay here");
    accept.addEventListener("click", function () {
      link = offeredLink;
      offeredLink = null;
      card.remove();
      started = false;  // a new session, for the customer the link names
      if (ws) { var socket = ws; ws = null; connected = false; socket.close(); }
      start();
    });
    decline.addEventListener("click", function () {
      dropLink();
      card.remove();
      input.focus();
    });
    card.appendChild(accept);
    card.appendChild(decline);
    log.appendChild(card);
    showNewest();
  }

  function showQuickReplies(buttons) {
    quick.textContent = "";
    (buttons || []).forEach(function (b) {
      var button = el("button", { type: "button", class: "quick-reply" }, b.title);
      button.addEventListener("click", function () {
        quick.textContent = "";
        send(b.payload, b.title);
        input.focus();
      });
      quick.appendChild(button);
    });
    if (pinned) log.scrollTop = log.scrollHeight;  // the buttons took room from the log
  }

  function setStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // ---- session and transport ----

  var ws = null, connected = false, attempt = 0, reconnectTimer = null, flushTimer = null;
  var refused = false, started = false, starting = false;

  function backoff() {
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * Math.pow(2, attempt));
    attempt += 1;
    return ceiling / 2 + Math.random() * ceiling / 2;  // "equal jitter": spread the herd
  }

  function scheduleReconnect(delay) {
    clearTimeout(reconnectTimer);
    if (refused) return;
    var wait = delay != null ? delay : backoff();
    setStatus(navigator.onLine === false
      ? "You are offline. Messages will be sent when you reconnect."
      : "Reconnecting\u2026");
    reconnectTimer = setTimeout(start, wait);
  }

  function refuse(message) {
    refused = true;
    setStatus("");
    notice(message, "error");
    input.disabled = true;
    sendButton.disabled = true;
  }

  function fetchSession() {
    var body = { token: state.token };
    if (link) body.link = link;
    if (config.userId || config.userHash) {
      body.user_id = config.userId;
      body.user_hash = config.userHash;
    }
    return fetch(GATEWAY + "/web/session", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (body.link && (response.ok || response.status === 403)) {  // else retried with it
          dropLink();
          if (response.status === 403) {  // expired, used or forged: say so and carry on here
            linkRefusal = data.error || "That link isn't valid.";
            return fetchSession();
          }
        }
        if (response.ok) {
          state.token = data.token;
          save();
          return true;
        }
        if (response.status === 401 && state.token) {  // expired or forged: start afresh
          state.token = null;
          save();
          return fetchSession();
        }
        if (response.status === 429 || response.status >= 500) {
          var retry = Number(response.headers.get("Retry-After")) || 0;
          scheduleReconnect(retry ? retry * 1000 : undefined);
          return false;
        }
        refuse(data.error || "The chat could not start.");
        return false;
      });
    });
  }

  function start() {
    // One connection attempt at a time: opening the panel and sending at once must not
    // race two sockets.
    if (refused || starting || (ws && ws.readyState <= 1)) return;
    clearTimeout(reconnectTimer);
    starting = true;
    setStatus("Connecting\u2026");
    var ready = started ? Promise.resolve(true) : fetchSession();
    ready.then(function (ok) {
      starting = false;
      if (!ok) return;
      started = true;
      open();
    }, function () {
      starting = false;
      scheduleReconnect();
    });
  }

  function sendFrame(frame) {
    if (!connected || !ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function open() {
    var socket = new WebSocket(WS_URL);
    ws = socket;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "hello", token: state.token }));
    };
    socket.onmessage = function (event) {
      if (ws !== socket) return;
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
    socket.onclose = function (event) {
      if (ws !== socket) return;
      ws = null;
      connected = false;
      if (event.code === 4401) {  // the session is no longer valid: get a new one
        state.token = null;
        save();
        started = false;
      }
      scheduleReconnect();
    };
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "ready": return onReady(frame);
      case "session":
        state.token = frame.token;
        save();
        return;
      case "ack": return onAck(frame);
      case "typing":
        typing.hidden = !frame.on;
        if (frame.on) showNewest();
        return;
      case "message": return onMessage(frame);
      case "error": return onError(frame);
    }
  }

  function onReady(frame) {
    connected = true;
    attempt = 0;
    setStatus("");
    log.textContent = "";
    rendered = {};
    typing.hidden = true;  // a turn cut off by the disconnect will not say it ended
    showQuickReplies([]);
    var history = frame.history || [];
    var stored = {};
    history.forEach(function (item) {
      if (item.sender === "customer" && item.id) stored[item.id] = true;
      addMessage(item.sender, item.text, item.created_at, item.sender === "customer" ? item.id : null);
    });
    var lastItem = history[history.length - 1];
    if (lastItem && lastItem.sender !== "customer") showQuickReplies(lastItem.buttons);
    // Whatever the server already holds was delivered; the rest is sent again, once, in order.
    state.outbox = state.outbox.filter(function (m) { return !stored[m.id]; });
    save();
    state.outbox.forEach(function (m) {
      setDelivery(addMessage("customer", m.title || m.text, m.at, m.id), "Sending\u2026");
    });
    if (linkRefusal) { notice(linkRefusal, "error"); linkRefusal = null; }
    if (offeredLink) offerLink();
    flush();
  }

  function messageFrame(m) {
    var frame = { type: "message", id: m.id, text: m.text };
    if (m.title) frame.title = m.title;
    return frame;
  }

  function flush() {
    clearTimeout(flushTimer);
    state.outbox.forEach(function (m) { sendFrame(messageFrame(m)); });
  }

  function dropFromOutbox(id) {
    state.outbox = state.outbox.filter(function (m) { return m.id !== id; });
    save();
  }

  function onAck(frame) {
    dropFromOutbox(frame.id);
    setDelivery(rendered[frame.id], "");
  }

  function onMessage(frame) {
    if (frame.sender === "customer") {  // sent from another tab of the same conversation
      addMessage("customer", frame.text, frame.created_at, frame.id);
      showQuickReplies([]);
      return;
    }
    if (frame.text) addMessage(frame.sender, frame.text, frame.created_at, frame.key);
    if (frame.text && panel.hidden) setUnread(unread + 1);  // e.g. an agent answers later
    if (frame.buttons && frame.buttons.length) showQuickReplies(frame.buttons);
  }

  function onError(frame) {
    var item = frame.id ? rendered[frame.id] : null;
    if (frame.code === "rate_limited" && frame.id) {
      setDelivery(item, "Waiting\u2026");
      clearTimeout(flushTimer);
      flushTimer = setTimeout(flush, (frame.retry_after || 1) * 1000);
      return;
    }
    if (frame.id) {
      // Refused for good (too long, not stored): say so on the message itself.
      dropFromOutbox(frame.id);
      setDelivery(item, "Not sent: " + frame.message, true);
      return;
    }
    notice(frame.message || "Something went wrong.", "error");
  }

  function send(text, title) {
    text = text.trim();
    if (!text) return;
    if (text.length > MAX_CHARS) {
      notice("That message is too long (the limit is " + MAX_CHARS + " characters).", "error");
      return;
    }
    var message = { id: newMessageId(), text: text, at: new Date().toISOString() };
    if (title) message.title = title;
    state.outbox.push(message);
    save();
    var item = addMessage("customer", title || text, message.at, message.id);
    showQuickReplies([]);
    var sent = sendFrame(messageFrame(message));
    setDelivery(item, sent ? "Sending\u2026" : "Waiting for connection\u2026");
    if (!sent) start();
  }

  // ---- interaction ----

  function setUnread(count) {
    unread = count;
    badge.textContent = count > 9 ? "9+" : String(count);
    badge.hidden = count === 0;
    if (panel.hidden) {
      launcher.setAttribute("aria-label", count ? "Open chat, " + count + " new" : "Open chat");
    }
  }

  function setOpen(open, quiet) {
    panel.hidden = !open;
    host.classList.toggle("is-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
    if (open) setUnread(0);
    state.open = open;
    save();
    if (open) {
      start();
      if (!quiet) input.focus();  // never steal focus from the host page on load
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(panel.hidden);
    if (panel.hidden) launcher.focus();
  });
  closeButton.addEventListener("click", function () { setOpen(false); launcher.focus(); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setOpen(false); launcher.focus(); }
  });
  newButton.addEventListener("click", function () {
    sendFrame({ type: "new_conversation" });
    input.focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  window.addEventListener("online", function () {
    if (!ws && !refused) { attempt = 0; scheduleReconnect(0); }
  });

  function mount() {
    document.body.appendChild(host);
    if (config.open || state.open || offeredLink) setOpen(true, true);
    else if (state.token || state.outbox.length) start();  // restore history and send what waits
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
