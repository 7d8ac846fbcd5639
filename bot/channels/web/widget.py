"""GET /static/widget.js: the embeddable widget, one classic script joined from its parts.

Host sites embed the widget with one tag, `<script src=".../static/widget.js" async>`, and the
widget finds its gateway through `document.currentScript`, which a classic script keeps however
it was put together. The sources stay small files in `static/widget/`, listed in `PARTS` in the
order they run; they share one function scope, so the gateway wraps them in one function. No
build tool: the script is joined once when the app is set up, and served with a strong ETag
(a hash of its text) so a browser revalidates it for nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from aiohttp import web

PARTS = ("config.js", "dom.js", "render.js", "session.js", "frames.js", "ui.js")
PATH = "/static/widget.js"
CACHE_CONTROL = "public, max-age=300"  # a new release reaches host pages within minutes


@dataclass(frozen=True)
class Script:
    body: bytes
    etag: str
    last_modified: str


def build(parts_dir: Path, parts: tuple[str, ...] = PARTS) -> Script:
    """Join the parts, in order, inside one function: `(function () { ...parts... })();`."""
    text = "(function () {\n" + "".join(
        f"\n// ---- widget/{name} ----\n\n{(parts_dir / name).read_text(encoding='utf-8')}"
        for name in parts
    ) + "})();\n"
    body = text.encode("utf-8")
    newest = max((parts_dir / name).stat().st_mtime for name in parts)
    return Script(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                  formatdate(newest, usegmt=True))


WIDGET_SCRIPT = web.AppKey("web_widget_script", Script)


async def widget_script(request: web.Request) -> web.Response:
    script = request.app[WIDGET_SCRIPT]
    headers = {"ETag": script.etag, "Cache-Control": CACHE_CONTROL,
               "Last-Modified": script.last_modified}
    wanted = _etags(request.headers.get("If-None-Match", ""))
    if script.etag in wanted or "*" in wanted:
        return web.Response(status=304, headers=headers)
    return web.Response(body=script.body, headers=headers,
                        content_type="text/javascript", charset="utf-8")


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def setup(app: web.Application, parts_dir: Path) -> None:
    """Build the script now, and route it: before `/static/`, which serves the other files."""
    app[WIDGET_SCRIPT] = build(parts_dir)
    app.router.add_get(PATH, widget_script)
