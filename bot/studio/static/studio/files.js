// Rapport marketer studio: the raw YAML editor: highlighting (yaml-highlight.js), line
// numbers, problems linked to their line, saving, creating and deleting files.
"use strict";

(function (S) {
  const { $, el, say, api, problemItem, saved } = S;

  function files() {
    const code = $("code");
    let currentPath = null;
    let problems = [];

    function paint() {
      const bad = problems.filter((p) => p.file === currentPath && p.line).map((p) => p.line);
      const count = highlightYaml($("highlight"), code.value, bad);
      $("gutter").textContent = Array.from({ length: count }, (_, i) => String(i + 1)).join("\n") + "\n";
      syncScroll();
    }

    function syncScroll() {
      $("highlight").scrollTop = code.scrollTop;
      $("highlight").scrollLeft = code.scrollLeft;
      $("gutter").scrollTop = code.scrollTop;
    }

    function goToLine(line) {
      const lines = code.value.split("\n");
      const start = lines.slice(0, Math.max(0, line - 1)).reduce((n, l) => n + l.length + 1, 0);
      code.focus();
      code.setSelectionRange(start, start + (lines[line - 1] || "").length);
      const lineHeight = parseFloat(getComputedStyle(code).lineHeight) || 20;
      code.scrollTop = Math.max(0, (line - 5) * lineHeight);
      syncScroll();
    }

    function showFileProblems() {
      const mine = problems.filter((p) => p.file === currentPath);
      $("file-problems").replaceChildren(...(mine.length ? mine.map((p) => {
        const item = problemItem(p);
        const link = item.querySelector("a.where");
        if (link) link.addEventListener("click", (e) => { e.preventDefault(); goToLine(p.line || 1); });
        return item;
      }) : [el("li", { class: "muted" }, "No problems in this file.")]));
      paint();
    }

    let opening = 0;

    async function openFile(path, line) {
      const ticket = ++opening;
      const { data } = await api("GET", "/studio/api/files?path=" + encodeURIComponent(path));
      if (ticket !== opening) return; // another file was picked meanwhile: that one wins
      currentPath = path;
      $("file-name").textContent = path;
      code.value = data.text;
      for (const item of document.querySelectorAll("#file-list li")) item.classList.toggle("current", item.dataset.path === path);
      history.replaceState(null, "", "/studio/files?path=" + encodeURIComponent(path));
      showFileProblems();
      if (line) goToLine(line);
    }

    async function loadList() {
      const { data } = await api("GET", "/studio/api/files");
      $("file-list").replaceChildren(...data.files.map((file) => {
        const item = el("li", {}, el("button", { type: "button", class: "pick-item", onclick: () => openFile(file.path) },
          file.path, file.changed ? el("span", { class: "tag draft" }, file.new ? "new" : "edited") : null));
        item.dataset.path = file.path;
        return item;
      }));
      return data.files;
    }

    async function save() {
      if (!currentPath) return;
      const data = await saved(api("POST", "/studio/api/files", { path: currentPath, text: code.value }), currentPath);
      if (data) {
        problems = data.problems;
        showFileProblems();
        await loadList();
        const first = problems.find((p) => p.file === currentPath && p.line && p.severity === "error");
        if (first) goToLine(first.line);
      }
    }

    code.addEventListener("input", paint);
    code.addEventListener("scroll", syncScroll);
    code.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
      if (event.key === "Tab") { event.preventDefault(); code.setRangeText("  ", code.selectionStart, code.selectionEnd, "end"); paint(); }
    });
    $("save-file").addEventListener("click", save);
    $("delete-file").addEventListener("click", async () => {
      if (!currentPath || !confirm("Delete " + currentPath + " from your draft?")) return;
      if (await saved(api("POST", "/studio/api/files/delete", { path: currentPath }), currentPath)) {
        const list = await loadList();
        if (list.length) await openFile(list[0].path);
      }
    });
    $("new-file").addEventListener("submit", async (event) => {
      event.preventDefault();
      const path = $("new-file-name").value.trim();
      const kind = path.startsWith("data/nlu/") ? "nlu" : path.startsWith("data/stories/") ? "stories" : "rules";
      const data = await saved(api("POST", "/studio/api/files", { path, text: 'version: "3.1"\n' + kind + ":\n" }), path);
      if (data) { problems = data.problems; await loadList(); await openFile(path); }
    });
    document.addEventListener("studio:status", (event) => { problems = event.detail.problems; if (currentPath) showFileProblems(); });
    document.addEventListener("studio:reload", () => { if (currentPath) openFile(currentPath); });

    const params = new URLSearchParams(location.search);
    loadList().then((list) => openFile(params.get("path") || (list[0] && list[0].path), Number(params.get("line")) || 0))
      .catch((error) => say(error.message, "error"));
  }

  S.pages["studio-files"] = files;
})(window.RapportStudio);
