"""Rasa's own tools on a draft, in the engine's environment: `rasa data validate` and `rasa train`.

Both run on a copy of the snapshot in a working directory, from the project root (the
pipeline and the NLU components read the product catalogue by a relative path, and
rasa train keeps its component cache in .rasa/ there). They take seconds to minutes,
so they run as subprocesses and report as they go.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.runner import ColdRasa, WarmRasa
from bot.engine.training import Progress, TrainingProgress
from bot.settings import REPO_ROOT
from bot.studio.project import DOMAIN, TRAINING_DIRS, Snapshot, is_training_file, write_snapshot
from bot.studio.validation import ERROR, WARNING, Problem

logger = logging.getLogger(__name__)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WARNING = re.compile(r"UserWarning: (.*)$")
_LOG = re.compile(r"^\S+ \S+ (ERROR|WARNING)\s+\S+\s+-\s+(.*)$")
_LINE = re.compile(r"\bline (\d+)")
_EXCEPTIONS = ("rasa.shared.exceptions", "YamlSyntaxException", "InvalidDomain")
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
    data = [str(directory / d) for d in TRAINING_DIRS]
    return ["--domain", str(directory / DOMAIN), "--data", *data]


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
            severity = ERROR if found.group(1) == "ERROR" else WARNING
            problems.append(_problem(found.group(2), directory, severity))
        elif line.startswith(_EXCEPTIONS) or "Exception:" in line:
            text = line.split(":", 1)[-1] if "Exception:" in line else line
            problems.append(_problem(text, directory, ERROR))
    if exit_code != 0 and not any(p.severity == ERROR for p in problems):
        tail = [_ANSI.sub("", l).strip() for l in output.splitlines() if l.strip()][-1:]
        reason = tail[0] if tail else f"exit code {exit_code}"
        problems.append(Problem("", 0, f"Rasa refused the data: {reason}", code="rasa",
                                subject="exit", source="rasa"))
    return RasaReport("passed" if exit_code == 0 else "failed", problems)


def locate(problems: list[Problem], files: Snapshot) -> list[Problem]:
    """Rasa names things ('utter_x', 'greeet') but no lines: point at the first line naming them."""
    flows_first = sorted(files, key=lambda p: (not p.startswith(("data/rules", "data/stories")),
                                               p != DOMAIN, p))
    domain_first = sorted(files, key=lambda p: (p != DOMAIN, p))
    located = []
    for problem in problems:
        order = domain_first if "domain file" in problem.message else flows_first
        if not problem.file or not problem.line:
            for name in re.findall(r"'([\w.-]+)'", problem.message):
                word = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
                hit = next(((path, number) for path in order
                            if not problem.file or path == problem.file
                            for number, line in enumerate(files[path].splitlines(), 1)
                            if word.search(line)), None)
                if hit:
                    problem = dataclasses.replace(problem, file=hit[0], line=hit[1], column=0)
                    break
        located.append(problem)
    return located


class RasaTools:
    def __init__(self, work_dir: Path, models_dir: Path,
                 rasa: ColdRasa | WarmRasa | None = None) -> None:
        self.work_dir = work_dir
        self.models_dir = models_dir
        self.rasa = rasa or ColdRasa()
        self._training = asyncio.Lock()  # two cores: one training at a time
        self._warmed = -1
        self._warming: asyncio.Task | None = None

    def model_path(self, key: str) -> Path:
        return self.models_dir / f"{key}.tar.gz"

    def _stage(self, files: Snapshot, name: str) -> Path:
        directory = self.work_dir / name
        shutil.rmtree(directory, ignore_errors=True)
        wanted = {p: t for p, t in files.items() if p == DOMAIN or is_training_file(p)}
        write_snapshot(directory, wanted)
        return directory

    def warm_up(self, files: Snapshot) -> None:
        """Have a warm worker import what training needs (a dry run) before a publish does."""
        if not isinstance(self.rasa, WarmRasa) or self._warmed == self.rasa.generation or (
                self._warming is not None and not self._warming.done()):
            return
        self._warming = asyncio.ensure_future(self._dry_run(dict(files)))

    async def _dry_run(self, files: Snapshot) -> None:
        directory = self._stage(files, "warm-up")
        try:
            await self.rasa.run(["train", "--config", str(REPO_ROOT / "config.yml"),
                                 *_project_args(directory), "--out", str(self.work_dir / "warm-up"),
                                 "--skip-validation", "--dry-run"], lambda line: None)
            self._warmed = self.rasa.generation
        except Exception as error:  # noqa: BLE001 - only an optimisation
            logger.info("warming up the Rasa worker failed: %s", error)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    async def close(self) -> None:
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
            await asyncio.gather(self._warming, return_exceptions=True)
        await self.rasa.close()

    async def validate(self, files: Snapshot) -> RasaReport:
        """`rasa data validate` on the snapshot."""
        started = time.monotonic()
        directory = self._stage(files, f"validate-{rasa_input_key(files)}")
        lines: list[str] = []
        try:
            code = await self.rasa.run(
                ["data", "validate", "--config", str(REPO_ROOT / "config.yml"),
                 *_project_args(directory)],
                lines.append,
            )
            report = parse_validate_output("\n".join(lines), directory, code)
            report.problems = locate(report.problems, files)
        except (OSError, ConnectionError) as error:
            report = RasaReport("error", [Problem("", 0, f"Rasa's validator could not run: {error}",
                                                  code="rasa", source="rasa")])
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        report.seconds = round(time.monotonic() - started, 1)
        return report

    async def train(self, files: Snapshot, key: str, progress: Progress, *,
                    finetune: Path | None = None) -> Path:
        """The model for training key `key`, trained now unless one is already stored."""
        target = self.model_path(key)
        async with self._training:
            if target.exists() and finetune is None:
                progress(1.0, "A model for exactly this content exists already: no training.")
                return target
            progress(0.01, "Preparing the training data")
            directory = self._stage(files, f"train-{key}")
            self.models_dir.mkdir(parents=True, exist_ok=True)
            name = f"partial-{key}"  # rasa train drops anything after a dot in the name
            argv = ["train", "--config", str(REPO_ROOT / "config.yml"), *_project_args(directory),
                    "--out", str(self.models_dir), "--fixed-model-name", name, "--skip-validation"]
            if finetune is not None:
                argv += ["--finetune", str(finetune)]
            tracker, tail = TrainingProgress(progress), []

            def on_line(raw: str) -> None:
                line = _ANSI.sub("", raw).strip()
                if line:
                    tail.append(line)
                    del tail[:-20]
                    tracker.feed(line)

            try:
                code = await self.rasa.run(argv, on_line)
            except (OSError, ConnectionError) as error:
                raise TrainingFailed(f"Training could not run: {error}.") from error
            finally:
                shutil.rmtree(directory, ignore_errors=True)
            partial = self.models_dir / f"{name}.tar.gz"
            if code != 0 or not partial.exists():
                logger.warning("rasa train failed: %s", " | ".join(tail[-5:]))
                last = tail[-1] if tail else "no output"
                reason = next((line for line in reversed(tail) if "rror" in line), last)
                raise TrainingFailed(f"Training failed: {reason}")
            partial.replace(target)
            progress(1.0, "Model trained")
            return target


class TrainingFailed(RuntimeError):
    pass
