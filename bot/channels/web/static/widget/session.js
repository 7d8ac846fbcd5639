// The session token and the WebSocket: one connection attempt at a time, backoff with jitter.

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
