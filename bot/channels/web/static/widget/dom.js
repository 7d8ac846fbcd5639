// The widget's DOM, in a shadow root: launcher, panel, log, quick replies, composer.

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
