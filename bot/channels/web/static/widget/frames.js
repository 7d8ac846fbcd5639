// Frames from the gateway, and the outbox: every message is sent until acknowledged, once.

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
