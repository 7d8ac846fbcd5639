// A small YAML highlighter for the studio's raw editor: no dependencies, no innerHTML.
// highlightYaml(pre, text, badLines) fills `pre` with one <span class="line"> per line,
// each holding token spans (key, string, comment, number, dash, placeholder).
"use strict";

(function (global) {
  const TOKEN = new RegExp([
    "(#.*$)",                                   // 1 comment (only where a comment can start)
    "(\"(?:[^\"\\\\]|\\\\.)*\"?|'(?:[^']|'')*'?)", // 2 quoted string
    "(^\\s*-(?=\\s|$))",                          // 3 list dash
    "((?:^|(?<=[\\s{,-]))[\\w.\\-/]+(?=\\s*:(?:\\s|$)))", // 4 key
    "(\\b(?:true|false|null|yes|no)\\b|\\b\\d[\\d.\\-:]*\\b)", // 5 literal
  ].join("|"), "g");
  const PLACEHOLDER = /(\{\{[^{}\n]*\}\}|\{[^{}\n]+\})/g;

  function span(cls, text) {
    const node = document.createElement("span");
    if (cls) node.className = cls;
    node.textContent = text;
    return node;
  }

  function withPlaceholders(cls, text) {
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match.index > last) parts.push(span(cls, text.slice(last, match.index)));
      parts.push(span(match[0].startsWith("{{") ? cls : "y-slot", match[0]));
      last = match.index + match[0].length;
    }
    if (last < text.length) parts.push(span(cls, text.slice(last)));
    return parts;
  }

  function highlightLine(line) {
    const out = [];
    let last = 0;
    TOKEN.lastIndex = 0;
    let match;
    while ((match = TOKEN.exec(line)) !== null) {
      if (match[0] === "") { TOKEN.lastIndex++; continue; }
      if (match[1] && match.index > 0 && !/\s/.test(line[match.index - 1])) continue; // '#' inside a word
      if (match.index > last) out.push(...withPlaceholders("", line.slice(last, match.index)));
      if (match[1]) out.push(span("y-comment", match[0]));
      else if (match[2]) out.push(...withPlaceholders("y-string", match[0]));
      else if (match[3]) out.push(span("y-dash", match[0]));
      else if (match[4]) out.push(span("y-key", match[0]));
      else out.push(span("y-literal", match[0]));
      last = match.index + match[0].length;
      if (match[1]) break;
    }
    if (last < line.length) out.push(...withPlaceholders("", line.slice(last)));
    return out;
  }

  function highlightYaml(pre, text, badLines) {
    const bad = new Set(badLines || []);
    const lines = text.split("\n");
    const frag = document.createDocumentFragment();
    lines.forEach((line, index) => {
      const row = span("line" + (bad.has(index + 1) ? " bad" : ""), "");
      row.append(...highlightLine(line));
      row.append("\n");
      frag.append(row);
    });
    pre.replaceChildren(frag);
    return lines.length;
  }

  global.highlightYaml = highlightYaml;
})(window);
