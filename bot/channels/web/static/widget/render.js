// Messages on screen: basic markdown built node by node, delivery marks, notices, quick replies.

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
