// Opening and closing, the unread badge, the composer's keys, and mounting on the host page.

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
