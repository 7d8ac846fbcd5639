"""Published versions of the bot's content, kept as files under `<data dir>/studio/versions`.

Every publish writes a new numbered directory holding the whole snapshot, a meta.json
(author, time, message, what changed, the model it runs on) and the diff from the version
it replaced. `live` names the version customers are talking to; it is replaced atomically.
Versions are never edited or deleted: a rollback publishes an old snapshot again as a new
version, so the history reads as it happened.

Files rather than tables because a version is what `rasa train` reads (a directory of
YAML) and what a model is built from; keeping both side by side makes a rollback a pointer
change. With several gateways, put the data directory on shared storage.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.studio.project import Snapshot, changed_paths, read_snapshot, unified_diff, write_snapshot


class UnknownVersion(LookupError):
    def __init__(self, number: object) -> None:
        super().__init__(f"There is no version {number}.")


@dataclass(frozen=True)
class Version:
    number: int
    author: str
    author_username: str
    created_at: str
    message: str
    kind: str  # code, wording, offers, wording+offers, training, rollback
    parent: int | None
    training_key: str
    changed: tuple[str, ...] = ()
    rollback_of: int | None = None
    model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["changed"] = list(self.changed)
        return data

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Version:
        raw = dict(raw)
        raw["changed"] = tuple(raw.get("changed") or ())
        return cls(**raw)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class VersionStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._dir = root / "versions"
        self._live = root / "live"

    def _path(self, number: int) -> Path:
        return self._dir / f"{number:06d}"

    def numbers(self) -> list[int]:
        if not self._dir.is_dir():
            return []
        return sorted(int(p.name) for p in self._dir.iterdir()
                      if p.name.isdigit() and (p / "meta.json").is_file())

    def get(self, number: int) -> Version:
        meta = self._path(number) / "meta.json"
        if not isinstance(number, int) or not meta.is_file():
            raise UnknownVersion(number)
        return Version.from_json(json.loads(meta.read_text(encoding="utf-8")))

    def versions(self) -> list[Version]:
        """Newest first."""
        return [self.get(n) for n in reversed(self.numbers())]

    def files(self, number: int) -> Snapshot:
        self.get(number)
        return read_snapshot(self._path(number) / "files")

    def files_dir(self, number: int) -> Path:
        return self._path(number) / "files"

    def diff(self, number: int) -> str:
        self.get(number)
        patch = self._path(number) / "diff.patch"
        return patch.read_text(encoding="utf-8") if patch.is_file() else ""

    def live_number(self) -> int | None:
        try:
            return int(self._live.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def live(self) -> Version | None:
        number = self.live_number()
        return self.get(number) if number is not None else None

    def live_stamp(self) -> float:
        """Changes whenever another version goes live (cheap to poll: one stat)."""
        try:
            return self._live.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def add(self, files: Snapshot, *, author: str, author_username: str, message: str, kind: str,
            training_key: str, model: str, rollback_of: int | None = None,
            extra: dict[str, Any] | None = None) -> Version:
        """Store a new version (not yet live)."""
        self._dir.mkdir(parents=True, exist_ok=True)
        parent = self.live_number()
        previous = self.files(parent) if parent is not None else {}
        number = (self.numbers() or [0])[-1] + 1
        version = Version(
            number=number, author=author, author_username=author_username, created_at=utc_now(),
            message=message, kind=kind, parent=parent, training_key=training_key,
            changed=changed_paths(previous, files),
            rollback_of=rollback_of, model=model, extra=extra or {},
        )
        staging = Path(tempfile.mkdtemp(dir=self._dir, prefix=".new-"))
        try:
            write_snapshot(staging / "files", files)
            (staging / "diff.patch").write_text(unified_diff(previous, files), encoding="utf-8")
            meta = json.dumps(version.to_json(), indent=2)
            (staging / "meta.json").write_text(meta, encoding="utf-8")
            os.rename(staging, self._path(number))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return version

    def set_live(self, number: int) -> None:
        self.get(number)
        atomic_write(self._live, f"{number}\n")

    def set_model(self, number: int, model: str) -> Version:
        """Record the model a version runs on (after a start-up retrain of changed code)."""
        version = self.get(number)
        updated = Version(**{**asdict(version), "model": model})
        atomic_write(self._path(number) / "meta.json", json.dumps(updated.to_json(), indent=2))
        return updated
