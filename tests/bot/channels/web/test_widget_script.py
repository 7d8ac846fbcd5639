"""/static/widget.js is the widget's parts joined in order, in one function, cached by ETag."""

from __future__ import annotations

from pathlib import Path

from bot.channels.web import STATIC_DIR, widget

PARTS_DIR = STATIC_DIR / "widget"


def test_every_part_on_disk_is_listed_and_each_stays_small():
    assert sorted(PARTS_DIR.glob("*.js")) == sorted(PARTS_DIR / name for name in widget.PARTS)
    for name in widget.PARTS:
        assert len((PARTS_DIR / name).read_text().splitlines()) < 300, name
    assert not (STATIC_DIR / "widget.js").exists()  # the route is the only widget.js


async def test_the_widget_is_served_as_its_parts_in_order_inside_one_function(gateway):
    response = await gateway.get("/static/widget.js")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    text = await response.text()
    assert text.startswith("(function () {\n") and text.endswith("})();\n")
    at = 0
    for name in widget.PARTS:
        part = (PARTS_DIR / name).read_text()
        found = text.find(part, at)
        assert found >= at, f"{name} is missing or out of order"
        at = found + len(part)
    assert "document.currentScript" in text and text.count("(function () {\n") == 1
    # Exactly one "use strict" directive, first in the function: the embed comment precedes it.
    body = text.removeprefix("(function () {\n")
    assert body.count('"use strict";') == 1
    assert body.index('"use strict";') < body.index("var ")


async def test_the_widget_carries_a_strong_etag_and_revalidates_for_nothing(gateway):
    first = await gateway.get("/static/widget.js")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == widget.CACHE_CONTROL
    assert "Last-Modified" in first.headers
    again = await gateway.get("/static/widget.js", headers={"If-None-Match": etag})
    assert again.status == 304 and again.headers["ETag"] == etag
    assert await again.read() == b""
    other = await gateway.get("/static/widget.js", headers={"If-None-Match": '"something-else"'})
    assert other.status == 200 and await other.read() == await first.read()
    head = await gateway.head("/static/widget.js")
    assert head.status == 200 and head.headers["ETag"] == etag


async def test_the_other_static_files_are_still_served(gateway):
    assert (await gateway.get("/static/widget.css")).status == 200
    assert (await gateway.get("/static/index.html")).status == 200
    assert (await gateway.get("/static/nothing-here.js")).status == 404


def test_build_joins_the_given_parts_in_the_given_order(tmp_path: Path):
    (tmp_path / "a.js").write_text("var a = 1;\n")
    (tmp_path / "b.js").write_text("var b = a + 1;\n")
    script = widget.build(tmp_path, ("b.js", "a.js"))
    text = script.body.decode()
    assert text.index("var b = a + 1;") < text.index("var a = 1;")
    assert widget.build(tmp_path, ("b.js", "a.js")).etag == script.etag
    (tmp_path / "a.js").write_text("var a = 2;\n")
    assert widget.build(tmp_path, ("b.js", "a.js")).etag != script.etag
