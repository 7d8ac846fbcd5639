"""`rasa test core` on the shipped model: every flow's test story is predicted as designed."""

from __future__ import annotations

import asyncio
import json
import subprocess

import pytest

from bot.engine import processes, training
from bot.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

MODELS = REPO_ROOT / "var" / "models"


def test_every_test_story_passes(tmp_path):
    if not training.is_up_to_date(MODELS):
        asyncio.run(training.train(MODELS))
    result = subprocess.run(
        [str(processes.ENGINE_PYTHON), "-m", "rasa", "test", "core",
         "--model", str(training.model_path(MODELS)),
         "--stories", "tests/stories", "--out", str(tmp_path), "--no-plot"],
        cwd=REPO_ROOT, env=processes.engine_env(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "story_report.json").read_text())
    failed = (tmp_path / "failed_test_stories.yml").read_text()
    assert "story:" not in failed, failed
    assert report["conversation_accuracy"]["accuracy"] == 1.0, report["conversation_accuracy"]
