"""Reading the engine's (or a stored) reply: any shape of buttons reads as buttons or none."""

from __future__ import annotations

import pytest

from bot.engine.client import Button, Reply


@pytest.mark.parametrize("buttons", ["yes", 3, {"title": "x"}, [1, "a", None]])
def test_buttons_that_are_not_a_list_of_objects_are_no_buttons(buttons):
    """Found by fuzzing (tests/fuzz): these raised AttributeError or TypeError."""
    assert Reply.from_json({"text": "hi", "buttons": buttons}) == Reply(text="hi")


def test_well_formed_buttons_are_kept():
    reply = Reply.from_json({"text": "hi", "buttons": [{"title": "Yes", "payload": "/affirm"}, 5]})
    assert reply.buttons == (Button(title="Yes", payload="/affirm"),)
