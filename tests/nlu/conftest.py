"""Fixtures for the NLU tests: spaCy finders on a fixed clock and a model trained once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from unittest import mock

import pytest

from bot.settings import REPO_ROOT

# A Wednesday; the held-out set's entity values assume the same day.
TODAY = date(2026, 11, 18)


@pytest.fixture(scope="session")
def nlp():
    from nlu.text import build_nlp

    return build_nlp()


@pytest.fixture
def fixed_today() -> Iterator[date]:
    """Pin the clock the timeframe extractor reads at parse time."""
    with mock.patch("nlu.timeframe.today", return_value=TODAY):
        yield TODAY


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NLU model trained from the real config.yml and data/nlu, once per test session."""
    from rasa.model_training import train_nlu

    out = tmp_path_factory.mktemp("nlu-model")
    previous = os.getcwd()
    os.chdir(REPO_ROOT)  # config.yml names the catalogue relative to the repository
    try:
        with mock.patch.dict("os.environ", {"RASA_CACHE_DIRECTORY": str(out / "cache")}):
            model = train_nlu(
                config="config.yml",
                nlu_data="data/nlu",
                output=str(out),
                domain="domain.yml",
                fixed_model_name="nlu-test",
            )
    finally:
        os.chdir(previous)
    assert model, "training produced no model"
    return Path(model)


@pytest.fixture(scope="session")
def agent(trained_model: Path):
    from rasa.core.agent import Agent

    return Agent.load(str(trained_model))
