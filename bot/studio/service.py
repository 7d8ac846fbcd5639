"""The studio's use cases: edit a draft, see what is wrong with it, publish it, roll back.

Publishing a draft whose training key equals the live one (wording, offers) only writes a
version: the NLG endpoint and the profile store serve it from the next reply on. Any
other change needs the model for its key (trained now, unless a stored one fits), which
is swapped into the running engine through bot.engine's zero-drop gate before the
version goes live. One publish runs at a time.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from memory import ProfileStore

from bot.engine.client import EngineClient
from bot.settings import REPO_ROOT, Settings
from bot.studio import edits
from bot.studio.checks import check
from bot.studio.drafts import AuditLog, Draft, Drafts
from bot.studio.jobs import Job, RasaChecks
from bot.studio.nlg import ResponseSource
from bot.studio.project import (DOMAIN, OFFERS, BadPath, Snapshot, check_path, classify,
                                load_yaml, merge, read_snapshot)
from bot.studio.publishing import Publishing, StudioError
from bot.studio.rasa_tools import RasaTools
from bot.studio.startup import PENDING, snapshot_hash, studio_root, sync_with_code
from bot.studio.validation import Problem, blocking, report
from bot.studio.versions import Version, VersionStore

logger = logging.getLogger(__name__)

MAX_FILE_CHARS = 60_000


class Studio(Publishing):
    """Drafts, checks and versions for the marketers; publishing runs as a job (Publishing)."""

    def __init__(self, settings: Settings, store: ProfileStore, engine: EngineClient,
                 tools: RasaTools) -> None:
        root = studio_root(settings)
        self.settings = settings
        self.store = store
        self.engine = engine
        self.tools = tools
        self.versions = VersionStore(root)
        self.drafts = Drafts(root / "drafts")
        self.audit = AuditLog(root / "audit.jsonl")
        self.responses = ResponseSource(self.versions)
        self.checks = RasaChecks(tools, root / "rasa-checks")
        self.job: Job | None = None
        self._publishing = asyncio.Lock()
        self._problems: dict[int, list[Problem]] = {}
        self._checked: dict[str, list[Problem]] = {}
        sync_with_code(settings)

    # --- reading ------------------------------------------------------------------------

    def live(self) -> Version:
        live = self.versions.live()
        assert live is not None, "sync_with_code made a version live"
        return live

    def live_files(self) -> Snapshot:
        return self.versions.files(self.live().number)

    def live_problems(self) -> list[Problem]:
        number = self.live().number
        if number not in self._problems:
            self._problems = {number: self.check(self.live_files())}
        return self._problems[number] + self.checks.problems(self.live_files())

    def draft(self, member: Any) -> Draft:
        draft = self.drafts.of(member.username)
        if not draft.exists:
            live = self.live()
            draft.start(self.versions.files(live.number), live.number)
        return draft

    def check(self, files: Snapshot) -> list[Problem]:
        """Our own checks (tens of milliseconds), remembered for the last few drafts."""
        key = snapshot_hash(files)
        if key not in self._checked:
            if len(self._checked) > 32:
                self._checked.clear()
            self._checked[key] = check(files)
        return list(self._checked[key])

    def status(self, member: Any) -> dict[str, Any]:
        draft, live = self.draft(member), self.live()
        files, live_files = draft.files(), self.live_files()
        change = classify(live_files, files)
        problems = self.check(files)
        rasa = self.checks.state(files) if change.changed else {"status": "not-needed"}
        if rasa["status"] in ("passed", "failed", "error"):
            problems += self.checks.problems(files)
        already = self.live_problems()
        return {
            "live": live.to_json(),
            "draft": {"base": draft.base, "behind": draft.base != live.number,
                      "change": change.to_json()},
            "problems": report(problems, already),
            "blocking": len(blocking(problems, already)),
            "rasa": rasa,
            "job": self.job.to_json() if self.job else None,
            "code_update_pending": (studio_root(self.settings) / PENDING).exists(),
            "draft_imports_code": draft.imports is not None,
        }

    def file(self, member: Any, path: str, *, version: int | None = None) -> str:
        check_path(path)
        files = self.versions.files(version) if version is not None else self.draft(member).files()
        return files.get(path, "")

    # --- editing ------------------------------------------------------------------------

    def save_file(self, member: Any, path: str, text: object) -> dict[str, Any]:
        try:
            path = check_path(path)
        except BadPath as error:
            raise StudioError(400, str(error)) from None
        if not isinstance(text, str):
            raise StudioError(400, "'text' must be the file's content.")
        if len(text) > MAX_FILE_CHARS:
            raise StudioError(413, f"The file is too long ({len(text)} characters; the limit is "
                                   f"{MAX_FILE_CHARS}). Split it into two files.")
        draft = self.draft(member)
        draft.write(path, text.replace("\r\n", "\n"))
        self.audit.record(member, "save", file=path)
        files, live_files = draft.files(), self.live_files()
        change = classify(live_files, files)
        if change.changed:
            # Once per live version: what is there already does not count against a draft.
            self.checks.schedule(live_files)
            self.checks.schedule(files, member.username)
        if change.needs_training:
            self.tools.warm_up(live_files)
        return self.status(member)

    def save_response(self, member: Any, name: object, variations: object) -> dict[str, Any]:
        try:
            text = edits.replace_response(self.draft(member).files().get(DOMAIN, ""), str(name),
                                          edits.clean_variations(variations))
        except edits.EditError as error:
            raise StudioError(400, str(error)) from None
        return self.save_file(member, DOMAIN, text)

    def save_offers(self, member: Any, offers: object) -> dict[str, Any]:
        try:
            current = self.draft(member).files().get(OFFERS, "")
            text = edits.replace_offers(current, edits.clean_offers(offers))
        except edits.EditError as error:
            raise StudioError(400, str(error)) from None
        return self.save_file(member, OFFERS, text)

    def delete_file(self, member: Any, path: str) -> dict[str, Any]:
        if path in (DOMAIN, OFFERS):
            raise StudioError(400, f"{path} cannot be deleted.")
        try:
            self.draft(member).delete(check_path(path))
        except BadPath as error:
            raise StudioError(400, str(error)) from None
        self.audit.record(member, "delete", file=path)
        return self.status(member)

    def bring_in_code(self, member: Any) -> dict[str, Any]:
        """Put the shipped files' changes since the last import into this member's draft."""
        shipped = read_snapshot(REPO_ROOT)
        base = next((v for v in self.versions.versions() if v.kind == "code"), None)
        if base is None:
            raise StudioError(409, "There is no imported code version to compare with.")
        merged, conflicts = merge(self.versions.files(base.number), self.live_files(), shipped)
        draft = self.drafts.of(member.username)
        draft.start(merged, self.live().number)
        draft.note_import(snapshot_hash(shipped))
        self.audit.record(member, "bring-in-code", conflicts=conflicts)
        return {**self.status(member), "conflicts": conflicts}

    def discard(self, member: Any) -> dict[str, Any]:
        self.drafts.of(member.username).discard()
        self.audit.record(member, "discard")
        return self.status(member)

    # --- publishing ---------------------------------------------------------------------

    def publish(self, member: Any, message: object) -> Job:
        message = message.strip() if isinstance(message, str) else ""
        if not message:
            raise StudioError(400, "Say in a few words what this change does (it goes into the "
                                   "history).")
        self._refuse_if_busy()
        draft, live = self.draft(member), self.live()
        files = draft.files()
        if draft.base != live.number:
            files, conflicts = merge(self.versions.files(draft.base), files, self.live_files())
            if conflicts:
                raise StudioError(409, "Since you started, someone else published changes to "
                                       f"{', '.join(conflicts)}. Discard your draft and redo your "
                                       "edit on top of the live version.")
        change = classify(self.live_files(), files)
        if not change.changed:
            raise StudioError(400, "Your draft is the same as the live version: there is nothing "
                                   "to publish.")
        problems = self.check(files)
        stopping = blocking(problems, self.live_problems())
        if stopping:
            raise StudioError(422, f"Not published: {len(stopping)} problem(s) to fix first.",
                              [p.to_json() for p in stopping])
        return self._start(member, files, message, kind="code" if draft.imports else change.kind,
                           needs_training=change.needs_training, offers=change.offers,
                           check_with_rasa=True, imports=draft.imports)

    def rollback(self, member: Any, number: object) -> Job:
        if not isinstance(number, int) or isinstance(number, bool):
            raise StudioError(400, "'version' must be a version number.")
        self._refuse_if_busy()
        live = self.live()
        if number == live.number:
            raise StudioError(400, f"Version {number} is already live.")
        try:
            files = self.versions.files(number)
        except LookupError as error:
            raise StudioError(404, str(error)) from None
        change = classify(self.live_files(), files)
        return self._start(member, files, f"Rolled back to version {number}", kind="rollback",
                           needs_training=change.needs_training, offers=change.offers,
                           check_with_rasa=False, rollback_of=number)

    def _refuse_if_busy(self) -> None:
        if self.job is not None and self.job.state == "running":
            raise StudioError(409, f"{self.job.owner} is publishing right now; try again when it "
                                   "is live.")

    async def close(self) -> None:
        """At shutdown a publish in progress is abandoned: the live version stays as it was."""
        if self.job is not None and self.job.task is not None and not self.job.task.done():
            self.job.task.cancel()
            await asyncio.gather(self.job.task, return_exceptions=True)
        await self.checks.close()


STUDIO = web.AppKey("studio", Studio)
TOOLS = web.AppKey("studio_tools", RasaTools)


def offers_of(files: Snapshot) -> list[dict[str, Any]]:
    try:
        data = load_yaml(files.get(OFFERS, "")) or {}
    except Exception:  # noqa: BLE001 - the YAML editor shows the syntax error
        return []
    offers = data.get("offers") if isinstance(data, dict) else None
    return offers if isinstance(offers, list) else []
