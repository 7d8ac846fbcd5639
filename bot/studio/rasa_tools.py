"""Rasa's own tools on a draft, in the engine's environment: `rasa data validate` and `rasa train`.

Both run on a copy of the snapshot in a working directory, from the project root (the
pipeline and the NLU components read the product catalogue by a relative path, and
rasa train keeps its component cache in .rasa/ there). They take seconds to minutes,
so they run as subprocesses and report as they go.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot import training
from bot.settings import REPO_ROOT
from bot.studio.project import DOMAIN, TRAINING_DIRS, Snapshot, is_training_file, write_snapshot
from bot.studio.validation import ERROR, WARNING, Problem

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WARNING = re.compile(r"UserWarning: (.*)$")
_LOG = re.compile(r"^\S+ \S+ (ERROR|WARNING)\s+\S+\s+-\s+(.*)$")
_LINE = re.compile(r"\bline (\d+)")
# Warnings Rasa prints about every bot that has responses only custom actions use.
_NOISE = ("is not used in any story or rule",)


def rasa_input_key(files: Snapshot) -> str:
    """What `rasa data validate` reads: the domain and the training data, byte for byte."""
    digest = hashlib.sha256()
    for path in sorted(files):
        if path == DOMAIN or is_training_file(path):
            digest.update(f"{path}\0{files[path]}\0".encode())
    digest.update((REPO_ROOT / "config.yml").read_bytes())
    return digest.hexdigest()[:24]


def _project_args(directory: Path) -> list[str]:
    return ["--domain", str(directory / DOMAIN), "--data", *(str(directory / d) for d in TRAINING_DIRS)]


@dataclass
class RasaReport:
    status: str  # passed, failed, error
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def _problem(line: str, directory: Path, severity: str) -> Problem:
    text = line.replace(str(directory) + "/", "").strip()
    file = next((p for p in [DOMAIN, *TRAINING_DIRS] if p in text), "")
    if file in TRAINING_DIRS:
        match = re.search(rf"({re.escape(file)}/[\w.-]+\.yml)", text)
        file = match.group(1) if match else file
    found = _LINE.search(text)
    return Problem(file, int(found.group(1)) if found else 0, f"Rasa: {text}", severity=severity,
                   code="rasa", subject=re.sub(r"\d+", "#", text), source="rasa")


def parse_validate_output(output: str, directory: Path, exit_code: int) -> RasaReport:
    problems: list[Problem] = []
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).strip()
        if not line or any(noise in line for noise in _NOISE):
            continue
        if (found := _WARNING.search(line)) is not None:
            problems.append(_problem(found.group(1), directory, WARNING))
        elif (found := _LOG.match(line)) is not None:
            problems.append(_problem(found.group(2), directory, ERROR if found.group(1) == "ERROR" else WARNING))
        elif line.startswith(("rasa.shared.exceptions", "YamlSyntaxException", "InvalidDomain")) or "Exception:" in line:
            problems.append(_problem(line.split(":", 1)[-1] if "Exception:" in line else line, directory, ERROR))
    if exit_code != 0 and not any(p.severity == ERROR for p in problems):
        tail = [_ANSI.sub("", l).strip() for l in output.splitlines() if l.strip()][-1:]
        problems.append(Problem("", 0, "Rasa refused the data: " + (tail[0] if tail else f"exit code {exit_code}"),
                                code="rasa", subject="exit", source="rasa"))
    return RasaReport("passed" if exit_code == 0 else "failed", problems)


class RasaTools:
    def __init__(self, work_dir: Path, models_dir: Path) -> None:
        self.work_dir = work_dir
        self.models_dir = models_dir
        self._training = asyncio.Lock()  # two cores: one training at a time

    def model_path(self, key: str) -> Path:
        return self.models_dir / f"{key}.tar.gz"

    def _stage(self, files: Snapshot, name: str) -> Path:
        directory = self.work_dir / name
        shutil.rmtree(directory, ignore_errors=True)
        write_snapshot(directory, {p: t for p, t in files.items() if p == DOMAIN or is_training_file(p)})
        return directory

    async def validate(self, files: Snapshot) -> RasaReport:
        """`rasa data validate` on the snapshot."""
        started = time.monotonic()
        directory = self._stage(files, f"validate-{rasa_input_key(files)}")
        try:
            process = await asyncio.create_subprocess_exec(
                str(training.ENGINE_PYTHON), "-m", "rasa", "data", "validate",
                "--config", str(REPO_ROOT / "config.yml"), *_project_args(directory),
                cwd=REPO_ROOT, env=training.engine_env(),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            try:
                output, _ = await process.communicate()
            except asyncio.CancelledError:
                process.kill()
                raise
            report = parse_validate_output(output.decode(errors="replace"), directory, process.returncode or 0)
        except OSError as error:
            report = RasaReport("error", [Problem("", 0, f"Rasa's validator could not run: {error}", code="rasa",
                                                  source="rasa")])
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        report.seconds = round(time.monotonic() - started, 1)
        return report

    async def train(self, files: Snapshot, key: str, progress: Progress, *, finetune: Path | None = None) -> Path:
        """The model for training key `key`, trained now unless one is already stored."""
        target = self.model_path(key)
        async with self._training:
            if target.exists() and finetune is None:
                progress(1.0, "A model for exactly this content already exists; no training needed.")
                return target
            progress(0.01, "Preparing the training data")
            directory = self._stage(files, f"train-{key}")
            self.models_dir.mkdir(parents=True, exist_ok=True)
            argv = [str(training.ENGINE_PYTHON), "-m", "rasa", "train", "--config", str(REPO_ROOT / "config.yml"),
                    *_project_args(directory), "--out", str(self.models_dir), "--fixed-model-name",
                    f"partial-{key}", "--skip-validation"]
            if finetune is not None:
                argv += ["--finetune", str(finetune)]
            try:
                await self._run_training(argv, progress)
            finally:
                shutil.rmtree(directory, ignore_errors=True)
            (self.models_dir / f"partial-{key}.tar.gz").replace(target)
            progress(1.0, "Model trained")
            return target

    async def _run_training(self, argv: list[str], progress: Progress) -> None:
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=REPO_ROOT, env=training.engine_env(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        tracker, tail = TrainingProgress(progress), []
        assert process.stdout is not None
        try:
            async for raw in process.stdout:
                line = _ANSI.sub("", raw.decode(errors="replace")).strip()
                if line:
                    tail = (tail + [line])[-20:]
                    tracker.feed(line)
            code = await process.wait()
        except asyncio.CancelledError:
            process.kill()
            await process.wait()
            raise
        if code != 0:
            logger.warning("rasa train failed: %s", " | ".join(tail[-5:]))
            raise TrainingFailed("Training failed: " + next((l for l in reversed(tail) if "rror" in l), tail[-1] if tail else "no output"))


class TrainingFailed(RuntimeError):
    pass


class TrainingProgress:
    """Turns rasa train's log lines into a fraction: loading, then one step per component."""

    def __init__(self, report: Progress, components: int = 5) -> None:
        self._report = report
        self._components = components
        self._done = 0

    def feed(self, line: str) -> None:
        if "Starting to train component" in line or "Restored component" in line:
            self._done += 1
            name = re.search(r"component '([^']+)'", line)
            verb = "Training" if "Starting" in line else "Reusing the cached"
            fraction = 0.3 + 0.6 * min(self._done, self._components) / (self._components + 1)
            self._report(fraction, f"{verb} {name.group(1) if name else 'component'}")
        elif "Finished training component" in line:
            self._report(0.3 + 0.6 * min(self._done, self._components) / (self._components + 1), line.split(" - ")[-1])
        elif "Your Rasa model is trained" in line:
            self._report(0.97, "Packing the model")
        elif "Started validating" in line or "Training data" in line or "story_conflict" in line:
            self._report(0.15, "Reading the training data")
