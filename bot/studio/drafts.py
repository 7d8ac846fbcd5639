"""Each marketer's draft (their own copy of the content, saved as they edit) and the audit log.

A draft is a directory under `<data dir>/studio/drafts/<username>` holding a snapshot and
the number of the version it started from. Nothing in it reaches customers until it is
published. The audit log is an append-only JSON-lines file: who did what, and when.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import deque
from pathlib import Path
from typing import Any

from bot.studio.project import Snapshot, check_path, read_snapshot, write_snapshot
from bot.studio.versions import atomic_write, utc_now


class Draft:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._files = root / "files"

    @property
    def exists(self) -> bool:
        return (self.root / "base").is_file()

    @property
    def base(self) -> int:
        return int((self.root / "base").read_text().strip())

    def files(self) -> Snapshot:
        return read_snapshot(self._files)

    def start(self, files: Snapshot, base: int) -> None:
        """Begin (or begin again) from a published snapshot."""
        shutil.rmtree(self.root, ignore_errors=True)
        write_snapshot(self._files, files)
        atomic_write(self.root / "base", f"{base}\n")

    @property
    def imports(self) -> str | None:
        """The hash of shipped files this draft brings in (bot.studio.startup), if it does."""
        note = self.root / "imports"
        return note.read_text().strip() if note.is_file() else None

    def note_import(self, shipped_hash: str) -> None:
        atomic_write(self.root / "imports", shipped_hash + "\n")

    def write(self, path: str, text: str) -> None:
        atomic_write(self._files / check_path(path), text)

    def delete(self, path: str) -> None:
        target = self._files / check_path(path)
        if target.is_file():
            target.unlink()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Drafts:
    def __init__(self, root: Path) -> None:
        self.root = root

    def of(self, username: str) -> Draft:
        # Usernames are normalised by bot.accounts (no spaces); keep the path segment safe anyway.
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in username)[:100] or "_"
        return Draft(self.root / safe.lstrip("."))


class AuditLog:
    """Append-only: one JSON object per line, flushed to disk before the call returns."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, member: Any, action: str, **detail: Any) -> dict[str, Any]:
        entry = {
            "at": utc_now(), "actor": member.display_name, "username": member.username,
            "role": member.role, "action": action, **detail,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    def latest(self, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first."""
        if not self.path.is_file():
            return []
        with open(self.path, encoding="utf-8") as handle:
            lines = deque(handle, maxlen=limit)
        entries = []
        for line in reversed(lines):
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue  # a torn last line after a crash
        return entries
