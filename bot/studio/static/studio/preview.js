// Rapport marketer studio: the preview page: chat with the draft as a chosen customer.
"use strict";

(function (S) {
  const { $, el, say, api } = S;

  function preview() {
    const transcript = $("preview-transcript");
    const input = $("preview-text");
    const sendButton = document.querySelector("#preview-say button");

    function add(sender, text, buttons) {
      const item = el("li", { class: "turn " + sender }, el("span", { class: "who" }, sender === "customer" ? "Customer" : "Bot"),
        el("span", { class: "text" }, text));
      if (buttons && buttons.length) {
        item.append(el("span", { class: "choices" }, ...buttons.map((b) =>
          el("button", { type: "button", class: "secondary small", onclick: () => send(b.payload, b.title) }, b.title))));
      }
      transcript.append(item);
      item.scrollIntoView({ block: "nearest" });
    }

    function ready(isReady) { input.disabled = !isReady; sendButton.disabled = !isReady; if (isReady) input.focus(); }

    async function send(text, shown) {
      add("customer", shown || text);
      try {
        const { data } = await api("POST", "/studio/api/preview/messages", { text });
        for (const reply of data.replies) add("bot", reply.text, reply.buttons);
        if (!data.replies.length) add("bot", "(no reply)");
      } catch (error) { say(error.message, "error"); }
    }

    async function watch() {
      const { data } = await api("GET", "/studio/api/preview");
      const job = data.job;
      $("preview-job").hidden = !job || data.ready;
      if (job) {
        $("preview-progress").value = job.fraction;
        $("preview-step").textContent = job.state === "failed" ? job.error : job.step + " (" + Math.round(job.fraction * 100) + "%)";
      }
      if (data.ready) { ready(true); say("The preview is ready: say hello.", "ok"); return; }
      if (job && job.state === "failed") { say(job.error, "error"); return; }
      setTimeout(watch, 1000);
    }

    $("preview-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      transcript.replaceChildren();
      ready(false);
      try {
        const { data } = await api("POST", "/studio/api/preview", {
          value_tier: $("preview-tier").value, channel: $("preview-channel").value, first_name: $("preview-name").value,
        });
        if (data.ready) { ready(true); say("Previewing your draft on the live model (wording changes only): say hello.", "ok"); }
        else { say("Your draft changes the dialogue, so it is being trained for the preview…", "ok"); watch(); }
      } catch (error) { say(error.message, "error"); }
    });
    $("preview-say").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text) { input.value = ""; send(text); }
    });
  }

  S.pages["studio-preview"] = preview;
})(window.RapportStudio);
