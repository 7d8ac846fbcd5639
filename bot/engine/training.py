"""Trains the engine's model only when the training data, domain, config or nlu/ code changed.

`make run` shows a short progress display; Rasa's full output goes to a log file
(`var/logs/training.log`), and only warnings not known to be false reach the terminal.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from pathlib import Path

from bot.engine.processes import ENGINE_PYTHON, engine_env, spawn_piped
from bot.settings import REPO_ROOT

logger = logging.getLogger(__name__)

MODEL_NAME = "rapport"
Progress = Callable[[float, str], None]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PROBLEM = re.compile(r"(UserWarning: |\bWARNING\s+\S+\s+-\s+|\bERROR\s+\S+\s+-\s+)(.*)$")
# Warnings Rasa prints on every training of this bot that are false for it, or that we
# cannot act on: deprecations inside Rasa and its pinned libraries, and entity examples
# "without an entity extractor trained on them" (ours are patterns and the catalogue; the
# annotations are for `make eval-nlu`). "Utterance not used in any story or rule" is
# false only for responses a form or a custom action uses: see `unused_utterance`.
KNOWN_FALSE = (
    "Deprecat",
    "deprecat",
    "MovedIn20Warning",
    "consisting of entity examples, but your NLU configuration does not include an entity",
)
_UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
_UTTERANCE = re.compile(r"\butter_\w*(?:\{)?")


def utterances_used_by_code(root: Path = REPO_ROOT) -> set[str]:
    """Responses custom actions and the gateway ask for by name (`response="utter_..."`);
    a name built in an f-string (`f"utter_confirm_{slot}"`) counts as its prefix + "{"."""
    names: set[str] = set()
    for path in [*(root / "actions").rglob("*.py"), *(root / "bot").rglob("*.py")]:
        names.update(_UTTERANCE.findall(path.read_text(encoding="utf-8")))
    return names


def unused_utterance(line: str, used: set[str]) -> bool:
    """Whether `line` is Rasa's false "not used in any story or rule" for a response that a
    form or code asks for."""
    found = _UNUSED.search(line)
    if found is None:
        return False
    name = found.group(1)
    return name in used or any(n.endswith("{") and name.startswith(n[:-1]) for n in used)


def training_inputs(root: Path = REPO_ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted((root / "data").rglob("*.yml"))
    files += sorted((root / "nlu").rglob("*.py"))
    files += sorted((root / "nlu").rglob("*.yml"))
    return [path for path in files if path.is_file()]


def code_inputs(root: Path = REPO_ROOT) -> list[Path]:
    """What a model depends on besides the bot's content: the pipeline, the NLU code, the catalogue."""
    files = [root / "config.yml", root / "data" / "catalogue" / "products.yml"]
    files += sorted((root / "nlu").rglob("*.py"))
    files += sorted((root / "nlu").rglob("*.yml"))
    return [f for f in files if f.is_file() and "__pycache__" not in f.parts]


def fingerprint(root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_path(models_dir: Path) -> Path:
    return models_dir / f"{MODEL_NAME}.tar.gz"


def is_up_to_date(models_dir: Path) -> bool:
    stamp = models_dir / f"{MODEL_NAME}.fingerprint"
    return model_path(models_dir).exists() and stamp.exists() and stamp.read_text() == fingerprint()


class TrainingProgress:
    """Turns rasa train's log lines into a fraction: start, read, then a step per component."""

    def __init__(self, report: Progress, components: int = 5) -> None:
        self._report = report
        self._components = components
        self._done = 0

    def _fraction(self) -> float:
        return 0.3 + 0.6 * min(self._done, self._components) / (self._components + 1)

    def feed(self, line: str) -> None:
        if "Starting to train component" in line or "Restored component" in line:
            self._done += 1
            name = re.search(r"component '([^']+)'", line)
            verb = "Training" if "Starting" in line else "Reusing the cached"
            self._report(self._fraction(), f"{verb} {name.group(1) if name else 'component'}")
        elif "Finished training component" in line:
            self._report(self._fraction(), line.split(" - ")[-1])
        elif "Your Rasa model is trained" in line:
            self._report(0.97, "Packing the model")
        elif line.startswith("Starting Rasa"):
            self._report(0.05, line)
        elif "Started validating" in line or "Training data" in line or "story_conflict" in line:
            self._report(0.15, "Reading the training data")


def worth_showing(line: str, used: set[str]) -> str | None:
    """The warning or error in a line of Rasa's output, unless it is known to be false."""
    found = _PROBLEM.search(line)
    if found is None or any(noise in line for noise in KNOWN_FALSE) or unused_utterance(line, used):
        return None
    return found.group(2).strip()


def progress_display(echo: Callable[[str], None]) -> Progress:
    """A progress report that prints a line per step, at most one per tenth of the way."""
    last = [-1.0]

    def report(fraction: float, what: str) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1:
            last[0] = fraction
            echo(f"  [train] {fraction:4.0%} {what}")

    return report


async def train(models_dir: Path, *, echo: Callable[[str], None] = print,
                log_path: Path | None = None) -> Path:
    """Run `rasa train` (which also skips unchanged parts by its own fingerprints).

    Rasa's output goes to `log_path` in full; `echo` gets a short progress display and the
    warnings that are not known to be false."""
    models_dir.mkdir(parents=True, exist_ok=True)
    current = fingerprint()
    process = await spawn_piped([
        str(ENGINE_PYTHON), "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(models_dir), "--fixed-model-name", MODEL_NAME,
    ], engine_env())
    assert process.stdout is not None
    progress = TrainingProgress(progress_display(echo))
    tail: list[str] = []
    used = utterances_used_by_code()
    log = None
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("a", encoding="utf-8")
    try:
        async for raw in process.stdout:
            line = _ANSI.sub("", raw.decode(errors="replace")).rstrip()
            if log is not None:
                log.write(line + "\n")
            # tqdm's carriage-return bars are for a terminal, not for this display.
            if not line or "Processed " in line or "%|" in line:
                continue
            tail = [*tail[-19:], line]
            progress.feed(line)
            if (problem := worth_showing(line, used)) is not None:
                echo(f"  [train] {problem}")
    finally:
        if log is not None:
            log.close()
    if await process.wait() != 0:
        for line in tail[-10:]:
            echo(f"  [train] {line.split(' - ', 1)[-1]}")
        where = f"; the full log is {log_path}" if log_path is not None else ""
        raise RuntimeError(f"rasa train failed: see the lines above{where}")
    (models_dir / f"{MODEL_NAME}.fingerprint").write_text(current)
    return model_path(models_dir)
