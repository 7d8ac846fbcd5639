"""Studio bookkeeping: versions at start-up and after a release of the code, and Rasa's output
read back to lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT
from bot.studio.project import DOMAIN, read_snapshot
from bot.studio.rasa_tools import locate, parse_validate_output
from bot.studio.startup import PENDING, studio_root, sync_with_code
from bot.studio.versions import VersionStore
from tests.bot.studio.test_studio import edit_response, publish
from tests.bot.studio.test_studio_support import studio  # noqa: F401  (fixture)


GOODBYE = "Goodbye, and thanks for chatting with us."
NEW_GOODBYE = "Goodbye, and thank you for chatting."


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped bot files, standing in for a checkout a developer can change."""
    root = tmp_path / "checkout"
    for path, text in read_snapshot(REPO_ROOT).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def release(root: Path, old: str, new: str) -> None:
    domain = root / DOMAIN
    text = domain.read_text(encoding="utf-8")
    assert old in text
    domain.write_text(text.replace(old, new), encoding="utf-8")


def test_the_shipped_bot_is_version_1_and_a_release_becomes_the_next(make_settings, shipped):
    settings = make_settings()
    first = sync_with_code(settings, shipped)
    assert (first.number, first.kind) == (1, "code")
    assert first.message == "The bot as shipped with the code"
    assert sync_with_code(settings, shipped).number == 1  # nothing changed: nothing new

    release(shipped, GOODBYE, NEW_GOODBYE)
    second = sync_with_code(settings, shipped)
    assert (second.number, second.kind) == (2, "code")
    assert second.message == "Updated with a new release of the code"
    assert "Goodbye, and thank you for chatting." in VersionStore(studio_root(settings)).diff(2)


def test_a_release_does_not_overwrite_what_marketers_published(make_settings, shipped):
    settings = make_settings()
    sync_with_code(settings, shipped)
    versions = VersionStore(studio_root(settings))
    edited = versions.files(1)
    edited[DOMAIN] = edited[DOMAIN].replace("Okay.", "Alright.")
    marketer = versions.add(edited, author="Mia", author_username="mia", message="Alright",
                            kind="wording", training_key="k", model="m")
    versions.set_live(marketer.number)

    release(shipped, GOODBYE, NEW_GOODBYE)
    assert sync_with_code(settings, shipped).number == marketer.number
    assert (studio_root(settings) / PENDING).exists()


async def test_a_marketer_brings_a_release_into_a_draft_and_publishes_it(studio, tmp_path,
                                                                         monkeypatch):
    mia = await studio.marketer()
    await edit_response(mia, "utter_ok", lambda v: [{"text": "Alright."}])
    assert (await publish(mia, "Alright")).status == 200
    # A release changes another response; the gateway keeps the marketers' version live.
    checkout = tmp_path / "release"
    shutil.copytree(REPO_ROOT / "data", checkout / "data",
                    ignore=shutil.ignore_patterns("catalogue"))
    shutil.copy(REPO_ROOT / DOMAIN, checkout / DOMAIN)
    release(checkout, GOODBYE, NEW_GOODBYE)
    sync_with_code(studio.settings, checkout)
    assert (await mia.get_json("/studio/api/status"))["code_update_pending"] is True

    monkeypatch.setattr("bot.studio.service.REPO_ROOT", checkout)
    brought = await (await mia.post("/studio/api/code/bring-in")).json()
    assert brought["conflicts"] == [] and brought["draft"]["change"]["changed"] == [DOMAIN]
    domain = (await mia.get_json(f"/studio/api/files?path={DOMAIN}"))["text"]
    assert "Goodbye, and thank you for chatting." in domain and "Alright." in domain
    assert (await publish(mia, "Release 2 wording")).status == 200
    status = await mia.get_json("/studio/api/status")
    assert status["code_update_pending"] is False and status["live"]["kind"] == "code"


def test_rasa_warnings_are_read_back_to_the_file_and_line_they_are_about():
    files = read_snapshot(REPO_ROOT)
    files["data/rules/basics.yml"] = files["data/rules/basics.yml"].replace(
        "action: utter_you_are_welcome", "action: utter_you_are_so_welcome")
    output = (
        "2026-11-22 18:10:01 INFO     rasa.validator  - Validating utterances...\n"
        "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The action "
        "'utter_you_are_so_welcome' is used in the stories, but is not a valid utterance action.\n"
        "/x/rasa/shared/utils/io.py:100: UserWarning: The utterance 'utter_ok' is not used in "
        "any story or rule.\n"
        "2026-11-22 18:10:02 ERROR    rasa.validator  - Found a story conflict\n"
    )
    report = parse_validate_output(output, Path("/tmp/draft"), 1)
    [warning, error] = locate(report.problems, files)
    assert report.status == "failed"
    assert (warning.severity, warning.file) == ("warning", "data/rules/basics.yml")
    line = files[warning.file].splitlines()[warning.line - 1]
    assert line.strip() == "- action: utter_you_are_so_welcome"
    assert (error.severity, error.message) == ("error", "Rasa: Found a story conflict")
