"""What the studio decides at start-up: which version is live and which model the engine loads.

On the first start the bot's files as shipped with the code become version 1. When a
deploy later changes those files, they become a new version automatically, unless
marketers have published since the last import: then the studio keeps their version and
says so (the studio shows a notice, and the change can be brought in as a draft).

Models are stored by training key (bot.studio.project.training_key) under
`<models dir>/studio`, so any version whose key has been trained once, including every
rollback target, goes live without training again.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.engine import training
from bot.settings import REPO_ROOT, Settings
from bot.studio.project import OFFERS, Snapshot, read_snapshot, training_key
from bot.studio.rasa_tools import RasaTools
from bot.studio.versions import Version, VersionStore, atomic_write

logger = logging.getLogger(__name__)

SHIPPED_AUTHOR = "Rapport (shipped with the code)"
MARKER = "shipped.sha256"  # the shipped files last brought in
PENDING = "code-update-pending"  # the shipped files changed, but marketers had published since


def studio_root(settings: Settings) -> Path:
    return settings.data_dir / "studio"


def studio_models(settings: Settings) -> Path:
    return settings.model_dir / "studio"


def snapshot_hash(files: Snapshot) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(f"{path}\0{files[path]}\0".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Live:
    version: Version
    files_dir: Path
    key: str
    model: Path | None

    @property
    def offers_path(self) -> Path:
        return self.files_dir / OFFERS


def stored_model(settings: Settings, key: str) -> Path | None:
    """The model for `key` if one exists; the supervisor's model of the shipped files counts."""
    target = studio_models(settings) / f"{key}.tar.gz"
    if target.exists():
        return target
    shipped = training.model_path(settings.model_dir)
    current = shipped.exists() and training.is_up_to_date(settings.model_dir)
    if current and key == training_key(read_snapshot(REPO_ROOT)):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".copy-")
        with open(fd, "wb") as handle, open(shipped, "rb") as source:
            shutil.copyfileobj(source, handle)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(target)
        return target
    return None


def sync_with_code(settings: Settings, shipped_root: Path = REPO_ROOT) -> Version:
    """Make sure a version is live, importing the shipped files when that is safe."""
    versions = VersionStore(studio_root(settings))
    marker = studio_root(settings) / MARKER
    shipped = read_snapshot(shipped_root)
    shipped_hash = snapshot_hash(shipped)
    live = versions.live()
    imported = marker.read_text().strip() if marker.exists() else None
    if live is not None and imported == shipped_hash:
        return live
    if live is None or snapshot_hash(versions.files(live.number)) == imported:
        version = versions.add(
            shipped, author=SHIPPED_AUTHOR, author_username="", kind="code",
            message=("The bot as shipped with the code" if live is None
                     else "Updated with a new release of the code"),
            training_key=training_key(shipped), model="",
        )
        versions.set_live(version.number)
        mark_imported(settings, shipped_hash)
        logger.info("studio: version %d is the shipped bot", version.number)
        return version
    logger.warning(
        "studio: the shipped bot files changed, but marketers have published since the last "
        "import; version %d stays live (bring the change in from the studio)", live.number,
    )
    atomic_write(studio_root(settings) / PENDING, shipped_hash + "\n")
    return live


def mark_imported(settings: Settings, shipped_hash: str) -> None:
    atomic_write(studio_root(settings) / MARKER, shipped_hash + "\n")
    (studio_root(settings) / PENDING).unlink(missing_ok=True)


async def prepare(settings: Settings, *, echo: Callable[[str], None] = print) -> Live:
    """For the supervisor: the live version, with a model trained for it if it has none yet."""
    version = sync_with_code(settings)
    versions = VersionStore(studio_root(settings))
    files = versions.files(version.number)
    key = training_key(files)
    model = stored_model(settings, key)
    if model is None:
        echo(f"training the studio's live version {version.number} (its content or the NLU code "
             "changed)")
        tools = RasaTools(studio_root(settings) / "work", studio_models(settings))
        model = await tools.train(files, key, training.progress_display(echo))
    if version.model != str(model):
        version = versions.set_model(version.number, str(model))  # shown in the history
    return Live(version, versions.files_dir(version.number), key, model)
