// Rapport marketer studio, loaded last: starts this shell's page (each page file put itself
// in `pages`), then the draft bar; a publish that finishes reloads the page's data.
"use strict";

(function (S) {
  (S.pages[S.page] || (() => {}))();
  S.refreshStatus();
  let wasRunning = false;
  document.addEventListener("studio:status", (event) => {
    const running = !!(event.detail.job && event.detail.job.state === "running");
    if (wasRunning && !running) document.dispatchEvent(new Event("studio:reload"));
    wasRunning = running;
  });
})(window.RapportStudio);
