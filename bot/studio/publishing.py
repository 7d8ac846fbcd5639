"""The background half of a publish or a rollback: train if needed, swap, make the version live.

`Studio.publish` and `Studio.rollback` check the request and start a job here; the job
validates with Rasa and trains only when no stored model fits the training key, swaps the
model into the running engine without dropping a turn, then records the version, refreshes
the live wording, loads the offers and writes the audit log. Any failure leaves the live bot
as it was, and the job says why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from memory import ProfileStore, errors

from bot.engine.client import EngineClient, EngineUnavailable
from bot.marketing import sync_offers
from bot.settings import Settings
from bot.studio.drafts import AuditLog
from bot.studio.jobs import Job, RasaChecks
from bot.studio.nlg import ResponseSource
from bot.studio.project import OFFERS, Snapshot, training_key
from bot.studio.rasa_tools import RasaTools, TrainingFailed
from bot.studio.startup import mark_imported, stored_model
from bot.studio.validation import blocking
from bot.studio.versions import Version, VersionStore

logger = logging.getLogger(__name__)


class StudioError(Exception):
    """A request the studio refuses; `message` is fit to show, `problems` point at the places."""

    def __init__(self, status: int, message: str,
                 problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


class Publishing:
    """What Studio needs to run a publish in the background (it sets these attributes)."""

    settings: Settings
    store: ProfileStore
    engine: EngineClient
    tools: RasaTools
    versions: VersionStore
    audit: AuditLog
    responses: ResponseSource
    checks: RasaChecks
    job: Job | None
    _publishing: asyncio.Lock

    def _start(self, member: Any, files: Snapshot, message: str, **options: Any) -> Job:
        job = Job(kind=options["kind"], owner=member.display_name,
                  needs_training=options["needs_training"])
        self.job = job
        job.task = asyncio.ensure_future(self._run(job, member, files, message, **options))
        return job

    async def _run(self, job: Job, member: Any, files: Snapshot, message: str, *, kind: str,
                   needs_training: bool, offers: bool, check_with_rasa: bool,
                   rollback_of: int | None = None, imports: str | None = None) -> None:
        try:
            async with self._publishing:
                key = training_key(files)
                model = None
                if needs_training:
                    model = await self._model_for(job, files, key, check_with_rasa)
                if model is not None:
                    job.progress(0.97, "Swapping the new model into the running bot")
                    since = time.monotonic()
                    await self.engine.replace_model(str(model))
                    job.timed("swap", since)
                since = time.monotonic()
                version = self.versions.add(
                    files, author=member.display_name, author_username=member.username,
                    message=message, kind=kind, training_key=key,
                    model=str(model or self.live().model), rollback_of=rollback_of,
                )
                self.versions.set_live(version.number)
                self.responses.refresh()
                if imports:
                    mark_imported(self.settings, imports)
                if offers:
                    await self._sync_offers(version)
                self.audit.record(member, "rollback" if rollback_of else "publish",
                                  version=version.number, message=message,
                                  changed=list(version.changed), kind=kind)
                self.draft(member).start(files, version.number)
                job.timed("go_live", since)
                job.finish(version.number)
        except StudioError as error:
            job.fail(error.message, error.problems)
        except TrainingFailed as error:
            job.fail(f"{error} The live bot is unchanged.")
        except EngineUnavailable as error:
            job.fail(f"The new model could not be loaded into the engine ({error}). The live bot "
                     "is unchanged.")
        except Exception as error:  # noqa: BLE001 - the page must learn that it failed
            logger.exception("publishing failed")
            job.fail(f"Publishing failed ({type(error).__name__}). The live bot is unchanged.")

    async def _model_for(self, job: Job, files: Snapshot, key: str, check_with_rasa: bool):
        model = stored_model(self.settings, key)
        if model is not None:
            return model
        if check_with_rasa:
            job.progress(0.02, "Checking the draft with Rasa's validator")
            since = time.monotonic()
            result = await self.checks.report(files)
            job.timed("rasa_validate", since)
            stopping = blocking(result.problems, self.checks.problems(self.live_files()))
            if result.status != "passed" or stopping:
                raise StudioError(422, "Rasa's validator refused the draft; nothing was published.",
                                  [p.to_json() for p in (stopping or result.problems)])
        job.progress(0.05, "Training the new model")
        since = time.monotonic()
        model = await self.tools.train(files, key, lambda f, s: job.progress(0.05 + 0.9 * f, s))
        job.timed("train", since)
        return model

    async def _sync_offers(self, version: Version) -> None:
        path = self.versions.files_dir(version.number) / OFFERS
        for attempt in range(3):
            try:
                await sync_offers(self.store, path)
                return
            except errors.StoreUnavailable:
                await asyncio.sleep(0.5 * (attempt + 1))
        raise StudioError(503, f"Version {version.number} is live, but the profile store was too "
                               "busy to load its offers. They are loaded at the next start.")
