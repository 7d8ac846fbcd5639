"""Fixtures shared by every test: free ports and settings pointing at a temporary data directory."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for an isolated data directory; keyword arguments override RAPPORT_* values."""

    def factory(**overrides: str) -> Settings:
        env = {
            "RAPPORT_DATA_DIR": str(tmp_path / "var"),
            "RAPPORT_API_KEY": "test-api-key",
            "RAPPORT_SIGNING_KEY": "test-signing-key",
            "RAPPORT_ENGINE_TOKEN": "test-engine-token",
            "RAPPORT_PORT": str(free_port()),
            "RAPPORT_ENGINE_PORT": str(free_port()),
            "RAPPORT_ACTIONS_PORT": str(free_port()),
        }
        env.update(overrides)
        return Settings.from_env(env)

    return factory


pytest_plugins = ["tests.service_skips"]
