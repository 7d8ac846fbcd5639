"""No log holds personal data (issue 14): after the e2e modules (this file is collected last),
every log each stack wrote, its supervisor's output and the text files in tests/artifacts are
searched for what the customers said and who they were. There must be no hit.

The module also runs a conversation of its own, full of personal data, so that the scan
always has something to find if a process logged it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import PERSONAL_DATA, RestCustomer, Stack

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TEXT_SUFFIXES = {".log", ".txt", ".json", ".jsonl", ".out"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*[a-z]", re.IGNORECASE)
UK_PHONE = re.compile(r"(?<![\w.])(?:\+44\s?7\d{3}|07\d{3}|0\d{3,4})\s?\d{3}\s?\d{3,4}(?!\d)")

SENSITIVE_CONVERSATION = [
    "hello",
    "Zebedee",
    "my email is zebedee.quillfeather@example.org",
    "my phone number is 07700 900123",
    "I need a faster broadband plan for my garden studio, under 35 a month",
]


def _logs(stacks: list[Stack]) -> dict[str, str]:
    found = {}
    for stack in stacks:
        for path in sorted((stack.data_dir / "logs").rglob("*")):
            if path.is_file():
                found[str(path)] = path.read_text(encoding="utf-8", errors="replace")
        found[f"output of the stack in {stack.data_dir}"] = "".join(stack.output)
    if ARTIFACTS.is_dir():
        for path in sorted(ARTIFACTS.rglob("*")):
            if path.is_file() and path.suffix in TEXT_SUFFIXES:
                found[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return found


def _needle(text: str) -> re.Pattern[str] | None:
    """How a said thing is looked for: short words (names) as whole words, sentences as they
    are; payloads, and words too common to tell anyone by, not at all."""
    text = text.strip()
    if text.startswith("/") or len(text) < 3 or text.lower() in COMMON:
        return None
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")


COMMON = {"hello", "hey", "yes", "no", "thanks", "thank you", "ok", "okay", "bye", "goodbye",
          "help", "hi there", "nope", "sure", "stop", "human", "agent", "what", "why"}


def hits_in(logs: dict[str, str], said: set[str]) -> list[str]:
    hits = []
    needles = [(text, needle) for text in sorted(said) if (needle := _needle(text))]
    for name, content in logs.items():
        for text, needle in needles:
            if needle.search(content):
                hits.append(f"{name}: said text {text!r}")
        for pattern in (EMAIL, UK_PHONE):
            hits.extend(f"{name}: {match!r}" for match in set(pattern.findall(content)))
    return hits


def test_the_scan_finds_personal_data_where_it_is(tmp_path):
    """The scan itself can fail: a log with a customer's words, email or phone is caught."""
    logs = {"gateway.log": "INFO turn from Zebedee: my garden studio is cold\n",
            "engine.log": "DEBUG parsed zebedee.quillfeather@example.org and 07700 900123\n",
            "clean.log": "INFO web turn handled in 12 ms; Annual report; http://127.0.0.1:5005\n"}
    found = hits_in(logs, {"Zebedee", "my garden studio is cold", "Ann", "hello"})
    assert len(found) == 4 and all(not hit.startswith("clean.log") for hit in found), found


async def test_no_log_of_any_e2e_stack_holds_personal_data(stack: Stack):
    customer = RestCustomer(stack)
    for text in SENSITIVE_CONVERSATION:
        await customer.say(text)
    stacks = list(PERSONAL_DATA.stacks)
    logs = _logs(stacks)
    assert any("gateway" in name for name in logs)  # the stack's logs are there to scan
    hits = hits_in(logs, PERSONAL_DATA.texts)
    assert hits == [], "\n".join(hits[:50])
