"""Long-running studio work, watched from the page: publish jobs and Rasa's validation runs."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.studio.project import Snapshot
from bot.studio.rasa_tools import RasaReport, RasaTools, rasa_input_key
from bot.studio.validation import Problem

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """A publish or rollback: its progress bar, its outcome."""

    kind: str
    owner: str
    needs_training: bool
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: float = field(default_factory=time.monotonic)
    fraction: float = 0.0
    step: str = "Starting"
    state: str = "running"  # running, done, failed
    error: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    version: int | None = None
    seconds: float | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds spent per stage
    task: asyncio.Task | None = None

    def progress(self, fraction: float, step: str) -> None:
        self.fraction, self.step = max(self.fraction, min(fraction, 1.0)), step

    def finish(self, version: int) -> None:
        self.state, self.version, self.fraction = "done", version, 1.0
        self.step = f"Version {version} is live"
        self.seconds = round(time.monotonic() - self.started, 2)

    def fail(self, error: str, problems: list[dict[str, Any]] | None = None) -> None:
        self.state, self.error, self.problems = "failed", error, problems or []
        self.seconds = round(time.monotonic() - self.started, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "owner": self.owner,
            "needs_training": self.needs_training, "fraction": round(self.fraction, 3),
            "step": self.step, "state": self.state, "error": self.error,
            "problems": self.problems, "version": self.version, "seconds": self.seconds,
            "elapsed": round(time.monotonic() - self.started, 1), "timings": self.timings,
        }

    def timed(self, stage: str, since: float) -> None:
        self.timings[stage] = round(time.monotonic() - since, 3)


def _failed(message: str) -> RasaReport:
    return RasaReport("error", [Problem("", 0, message, code="rasa", source="rasa")])


class RasaChecks:
    """`rasa data validate` per distinct content, one run at a time, results kept on disk.

    Saves come quickly while someone types; only each person's latest content is checked.
    """

    def __init__(self, tools: RasaTools, cache_dir: Path) -> None:
        self._tools = tools
        self._cache_dir = cache_dir
        self._reports: dict[str, RasaReport] = {}
        self._running: dict[str, asyncio.Task] = {}
        self._latest: dict[str, str] = {}  # owner -> key of their latest content
        self._one_at_a_time = asyncio.Lock()

    def _cached(self, key: str) -> RasaReport | None:
        if key in self._reports:
            return self._reports[key]
        path = self._cache_dir / f"{key}.json"
        if path.is_file():
            raw = json.loads(path.read_text(encoding="utf-8"))
            problems = [Problem(**p) for p in raw["problems"]]
            report = RasaReport(raw["status"], problems, raw["seconds"])
            self._reports[key] = report
            return report
        return None

    def state(self, files: Snapshot) -> dict[str, Any]:
        key = rasa_input_key(files)
        report = self._cached(key)
        if report is not None:
            return {"status": report.status, "seconds": report.seconds, "key": key}
        return {"status": "running" if key in self._running else "pending", "key": key}

    def problems(self, files: Snapshot) -> list[Problem]:
        report = self._cached(rasa_input_key(files))
        return report.problems if report else []

    def schedule(self, files: Snapshot, owner: str = "") -> None:
        key = rasa_input_key(files)
        if owner:
            self._latest[owner] = key
        if self._cached(key) is None and key not in self._running:
            self._running[key] = asyncio.ensure_future(self._run(key, dict(files), owner))

    async def report(self, files: Snapshot) -> RasaReport:
        """Rasa's verdict on exactly this content, waiting for a run if there is none yet."""
        key = rasa_input_key(files)
        for _ in range(2):  # a second go if the run in flight was skipped as out of date
            cached = self._cached(key)
            if cached is not None:
                return cached
            task = self._running.get(key)
            if task is None:
                task = self._running[key] = asyncio.ensure_future(self._run(key, dict(files), ""))
            await asyncio.shield(task)
        return self._cached(key) or _failed("Rasa's validator did not finish.")

    async def _run(self, key: str, files: Snapshot, owner: str) -> None:
        try:
            async with self._one_at_a_time:
                if owner and self._latest.get(owner) != key:
                    return  # they saved again since; check the newer content instead
                report = await self._tools.validate(files)
            self._reports[key] = report
            if report.status != "error":
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                (self._cache_dir / f"{key}.json").write_text(json.dumps({
                    "status": report.status, "seconds": report.seconds,
                    "problems": [p.__dict__ for p in report.problems],
                }), encoding="utf-8")
        except Exception:  # noqa: BLE001 - a crashed check must not take the studio down
            logger.exception("rasa data validate could not run")
            self._reports[key] = _failed("Rasa's validator could not run.")
        finally:
            self._running.pop(key, None)

    async def close(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)
