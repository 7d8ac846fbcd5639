"""Trains the engine's model only when the training data, domain, config or nlu/ code changed."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from pathlib import Path

from bot.settings import REPO_ROOT

logger = logging.getLogger(__name__)

MODEL_NAME = "rapport"
ENGINE_PYTHON = REPO_ROOT / ".venv-engine" / "bin" / "python"


def training_inputs(root: Path = REPO_ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted((root / "data").rglob("*.yml"))
    files += sorted((root / "nlu").rglob("*.py"))
    files += sorted((root / "nlu").rglob("*.yml"))
    return [path for path in files if path.is_file()]


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


async def train(models_dir: Path, *, echo=print) -> Path:
    """Run `rasa train` (which also skips unchanged parts by its own fingerprints)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    current = fingerprint()
    process = await asyncio.create_subprocess_exec(
        str(ENGINE_PYTHON), "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(models_dir), "--fixed-model-name", MODEL_NAME,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=engine_env(),
    )
    assert process.stdout is not None
    async for raw in process.stdout:
        line = raw.decode(errors="replace").rstrip()
        # Keep the per-component progress and errors; drop tqdm's carriage-return bars.
        if line and "Processed " not in line and "%|" not in line:
            echo(f"  [train] {line.split(' - ', 1)[-1]}")
    if await process.wait() != 0:
        raise RuntimeError("rasa train failed; see the lines above")
    (models_dir / f"{MODEL_NAME}.fingerprint").write_text(current)
    return model_path(models_dir)


def engine_env() -> dict[str, str]:
    """The environment for engine processes: repo on the path, no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env
