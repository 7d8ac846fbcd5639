// Rapport marketer studio: the draft bar on every page: what the draft changes, Rasa's
// check, publishing and discarding, and the publish job's progress (polled while it runs).
"use strict";

(function (S) {
  const { $, say, api, showProblems } = S;

  let polling = null;

  function describeChange(change) {
    if (!change.changed.length) return "the same as the live version.";
    const files = change.changed.length + " changed file" + (change.changed.length > 1 ? "s" : "");
    if (change.needs_training) return files + " · changes intents, flows or forms: needs retraining when published.";
    const what = change.kind === "wording+offers" ? "wording and offers" : change.kind;
    return files + " · " + what + " only: goes live immediately when published, no retraining.";
  }

  function renderStatus(status) {
    const change = status.draft.change;
    $("draft-summary").textContent = describeChange(change) +
      (status.draft.behind ? " (Someone published since you started; your edits will be merged.)" : "");
    const rasa = status.rasa || {};
    const rasaText = {
      pending: "Rasa check queued…", running: "Rasa's validator is checking your draft…",
      passed: "Rasa's validator: passed (" + rasa.seconds + " s).", failed: "Rasa's validator found problems.",
      error: "Rasa's validator could not run.", "not-needed": "",
    }[rasa.status] || "";
    $("rasa-state").textContent = rasaText + (status.blocking ? " · " + status.blocking + " problem(s) to fix before publishing." : "");
    $("publish").disabled = !change.changed.length || status.blocking > 0 || (status.job && status.job.state === "running");
    $("discard").disabled = !change.changed.length;
    showJob(status.job);
    if (rasa.status === "pending" || rasa.status === "running" || (status.job && status.job.state === "running")) schedulePoll();
    document.dispatchEvent(new CustomEvent("studio:status", { detail: status }));
  }

  function showJob(job) {
    const box = $("job");
    if (!job || (job.state === "done" && job.elapsed > 30)) { box.hidden = true; return; }
    box.hidden = false;
    $("job-progress").value = job.fraction;
    const owner = job.owner ? job.owner + ": " : "";
    $("job-step").textContent = job.state === "failed" ? "Not published: " + job.error
      : job.state === "done" ? "Version " + job.version + " is live (" + job.seconds + " s)."
      : owner + job.step + " (" + Math.round(job.fraction * 100) + "%, " + job.elapsed + " s)";
    box.className = "job " + job.state;
    if (job.state === "failed") showProblems($("publish-problems"), job.problems);
  }

  function schedulePoll() {
    if (polling) return;
    polling = setTimeout(async () => { polling = null; await refreshStatus(); }, 1000);
  }

  async function refreshStatus() {
    try { renderStatus((await api("GET", "/studio/api/status")).data); } catch (error) { say(error.message, "error"); }
  }

  $("publish-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = $("publish-message").value.trim();
    if (!message) { say("Say in a few words what this change does; it goes into the history.", "error"); $("publish-message").focus(); return; }
    $("publish").disabled = true;
    showProblems($("publish-problems"), []);
    try {
      const { data, status } = await api("POST", "/studio/api/publish", { message });
      $("publish-message").value = "";
      say(status === 202 ? "Publishing: the new model is being trained. You can keep this page open."
                         : "Published: version " + data.job.version + " is live.", "ok");
    } catch (error) {
      say(error.message, "error");
      showProblems($("publish-problems"), error.data && error.data.problems);
    }
    await refreshStatus();
    document.dispatchEvent(new Event("studio:reload"));
  });

  $("discard").addEventListener("click", async () => {
    if (!confirm("Throw away every change in your draft?")) return;
    try { renderStatus((await api("POST", "/studio/api/discard")).data); say("Draft discarded.", "ok"); }
    catch (error) { say(error.message, "error"); }
    document.dispatchEvent(new Event("studio:reload"));
  });

  async function saved(promise, what) {
    try {
      const { data } = await promise;
      renderStatus(data);
      const fresh = (data.problems || []).filter((p) => p.new && p.severity === "error");
      say(fresh.length ? what + " saved to your draft, with " + fresh.length + " problem(s) to fix before publishing."
                       : what + " saved to your draft.", fresh.length ? "error" : "ok");
      return data;
    } catch (error) {
      say(error.message, "error");
      return null;
    }
  }

  Object.assign(S, { describeChange, renderStatus, refreshStatus, saved });
})(window.RapportStudio);
