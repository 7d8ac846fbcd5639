"""The bot's editable content as a set of YAML files, and what a change to them means.

A *snapshot* maps a path relative to the project (`domain.yml`, `data/rules/basics.yml`,
`data/marketing/offers.yml`, ...) to the file's text. The pipeline (config.yml), the
custom NLU code and the product catalogue are not edited in the studio, but they are part
of what a model is trained from, so they count in the training key.

The training key is a hash of everything training reads, with the domain's responses
reduced to their names: two snapshots with the same key can share one model, and a change
that keeps the key (wording, offers) goes live without retraining.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.engine.training import code_inputs
from bot.settings import REPO_ROOT

Snapshot = dict[str, str]

DOMAIN = "domain.yml"
OFFERS = "data/marketing/offers.yml"
TRAINING_DIRS = ("data/nlu", "data/rules", "data/stories")
_DATA_FILE = re.compile(r"^data/(nlu|rules|stories)/[a-z0-9][a-z0-9_-]{0,60}\.yml$")
# Read-only inputs the studio validates against or trains with.
CONSENTS = "data/marketing/consents.yml"
CATALOGUE = "data/catalogue/products.yml"
CONFIG = "config.yml"


class BadPath(ValueError):
    """A path the studio does not edit."""


def check_path(path: object) -> str:
    """An editable file's path, or BadPath with a reason fit to show."""
    if not isinstance(path, str):
        raise BadPath("The file name must be text.")
    if path in (DOMAIN, OFFERS) or _DATA_FILE.match(path):
        return path
    raise BadPath(
        "The studio edits domain.yml, data/marketing/offers.yml and YAML files under "
        "data/nlu, data/rules and data/stories (lower-case names such as data/rules/sales.yml)."
    )


def is_training_file(path: str) -> bool:
    return path.startswith(tuple(d + "/" for d in TRAINING_DIRS))


def read_snapshot(root: Path) -> Snapshot:
    """The editable files under `root` (a project checkout or a stored version)."""
    files: Snapshot = {}
    for path in (DOMAIN, OFFERS):
        if (root / path).is_file():
            files[path] = (root / path).read_text(encoding="utf-8")
    for directory in TRAINING_DIRS:
        for file in sorted((root / directory).glob("*.yml")):
            files[f"{directory}/{file.name}"] = file.read_text(encoding="utf-8")
    return files


def write_snapshot(root: Path, files: Snapshot) -> None:
    for path, text in files.items():
        target = root / check_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for directory in TRAINING_DIRS:  # git keeps no empty directories; rasa wants them there
        (root / directory).mkdir(parents=True, exist_ok=True)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.lru_cache(maxsize=512)
def _normalised(path: str, text: str) -> str:
    """What training reads from a file: its data, without comments, layout or response wording."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError:
        return text
    if path == DOMAIN and isinstance(data, dict):
        data = dict(data)
        responses = data.get("responses")
        if isinstance(responses, dict):
            data["responses"] = sorted(str(name) for name in responses)
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=True,
                     allow_unicode=True)


def training_key(files: Snapshot, root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256(b"rapport-studio-model-v1\n")
    for path in sorted(files):
        if path == DOMAIN or is_training_file(path):
            digest.update(f"{path}\n".encode())
            digest.update(_normalised(path, files[path]).encode())
    for file in code_inputs(root):
        digest.update(f"{file.relative_to(root)}\n".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:24]


def responses_of(files: Snapshot) -> dict[str, list[dict[str, Any]]]:
    """The domain's responses (name -> variations); empty when the domain does not parse."""
    try:
        domain = load_yaml(files.get(DOMAIN, "")) or {}
    except yaml.YAMLError:
        return {}
    raw = domain.get("responses") if isinstance(domain, dict) else None
    if not isinstance(raw, dict):
        return {}
    return {
        str(name): [v for v in variations if isinstance(v, dict)]
        for name, variations in raw.items() if isinstance(variations, list)
    }


@dataclass(frozen=True)
class Change:
    """What publishing `new` over `old` does."""

    changed: tuple[str, ...]
    wording: bool  # responses' text, buttons or conditions
    offers: bool
    needs_training: bool

    @property
    def kind(self) -> str:
        if self.needs_training:
            return "training"
        if self.wording and self.offers:
            return "wording+offers"
        return "wording" if self.wording else "offers" if self.offers else "none"

    def to_json(self) -> dict[str, Any]:
        return {"changed": list(self.changed), "wording": self.wording, "offers": self.offers,
                "needs_training": self.needs_training, "kind": self.kind}


def changed_paths(old: Snapshot, new: Snapshot) -> tuple[str, ...]:
    return tuple(sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p)))


def classify(old: Snapshot, new: Snapshot, *, old_key: str | None = None,
             new_key: str | None = None) -> Change:
    changed = changed_paths(old, new)
    old_key = old_key or training_key(old)
    new_key = new_key or training_key(new)
    return Change(
        changed=changed,
        wording=DOMAIN in changed and responses_of(old) != responses_of(new),
        offers=OFFERS in changed,
        needs_training=old_key != new_key,
    )


def unified_diff(old: Snapshot, new: Snapshot, paths: Iterable[str] | None = None) -> str:
    chunks = []
    for path in sorted(paths if paths is not None else changed_paths(old, new)):
        chunks.extend(difflib.unified_diff(
            old.get(path, "").splitlines(keepends=True),
            new.get(path, "").splitlines(keepends=True),
            fromfile=f"a/{path}" if path in old else "/dev/null",
            tofile=f"b/{path}" if path in new else "/dev/null",
        ))
    return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _overlap(a: tuple[int, int, list[str]], b: tuple[int, int, list[str]]) -> bool:
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 and b1 == b2:
        return a1 == b1  # two insertions at the same place
    if a1 == a2:
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return a1 < b2 and b1 < a2


def merge_text(base: str, mine: str, theirs: str) -> str | None:
    """Three-way merge by lines; None when both sides changed the same lines differently."""
    lines = base.splitlines(keepends=True)
    hunks = sorted(_hunks(lines, mine.splitlines(keepends=True))
                   + _hunks(lines, theirs.splitlines(keepends=True)), key=lambda h: (h[0], h[1]))
    merged, position, previous = [], 0, None
    for hunk in hunks:
        if previous is not None and _overlap(previous, hunk):
            if (previous[0], previous[1], previous[2]) == hunk:
                continue  # both made the same change
            return None
        merged.extend(lines[position:hunk[0]])
        merged.extend(hunk[2])
        position, previous = hunk[1], hunk
    merged.extend(lines[position:])
    return "".join(merged)


def merge(base: Snapshot, draft: Snapshot, live: Snapshot) -> tuple[Snapshot, list[str]]:
    """Bring a draft made on `base` up to `live`: line by line within a file; the lines both
    changed differently are conflicts (the draft's file is kept, and the path reported)."""
    merged: Snapshot = {}
    conflicts = []
    for path in sorted(set(base) | set(draft) | set(live)):
        mine, theirs, original = draft.get(path), live.get(path), base.get(path)
        if mine == original:
            chosen = theirs
        elif theirs == original or theirs == mine:
            chosen = mine
        else:
            all_three = None not in (original, mine, theirs)
            chosen = merge_text(original, mine, theirs) if all_three else None
            if chosen is None:
                conflicts.append(path)
                chosen = mine
        if chosen is not None:
            merged[path] = chosen
    return merged, conflicts
