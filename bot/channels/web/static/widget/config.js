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
"use strict";

// The gateway serves widget/*.js as one classic script, /static/widget.js, inside a single
// function: the parts share its scope, in the order bot/channels/web/widget.py lists them.
// This part: the <script> tag's settings, and what is kept in localStorage.

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
