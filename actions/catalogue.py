"""Marketer-edited data: the product catalogue, offers (from the store's catalogue) and the
consent wording, complaint categories and playbooks files, reloaded whenever a file
changes, so edits go live without retraining or restarting.

The product catalogue is parsed and checked by nlu/catalogue.py, the parser the NLU
component trains from; an edit that breaks it is logged and the catalogue as it was
before the edit goes on answering.
"""

from __future__ import annotations

import logging
import difflib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from memory import OfferView
from nlu.catalogue import Catalogue as ProductCatalogue
from nlu.catalogue import CatalogueError, Product, load_catalogue

__all__ = ["Catalogue", "Offer", "Product", "catalogue"]

logger = logging.getLogger(__name__)

PRODUCTS_FILE = "../catalogue/products.yml"
MARKETING_DIR = Path(os.environ.get("RAPPORT_MARKETING_DIR", Path(__file__).resolve().parent.parent / "data" / "marketing"))


@dataclass(frozen=True)
class Offer:
    id: str
    title: str
    text: str
    products: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    value_tiers: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    consent: str = "offers"
    reoffer_after_days: int = 30
    valid_from: date | None = None
    valid_to: date | None = None

    @classmethod
    def from_view(cls, view: OfferView) -> Offer:
        """An offer from the store's catalogue; targeting rules live in its attributes."""
        raw = view.attributes
        matches = raw.get("matches") or {}
        eligibility = raw.get("eligibility") or {}
        return cls(
            id=view.offer_id,
            title=view.title,
            text=view.description,
            products=frozenset(matches.get("products") or ()),
            categories=frozenset(matches.get("categories") or ()),
            value_tiers=frozenset(eligibility.get("value_tiers") or ()),
            channels=frozenset(eligibility.get("channels") or ()),
            segments=frozenset(eligibility.get("segments") or ()),
            consent=view.purpose or "offers",
            reoffer_after_days=int(raw.get("reoffer_after_days", 30)),
            valid_from=date.fromisoformat(raw["valid_from"]) if raw.get("valid_from") else None,
            valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
        )


def _mentions(text: str, phrases: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, key) of every phrase in `text`, whole words, longest first, no overlaps."""
    lowered = text.lower()
    found: list[tuple[int, int, str]] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in found):
                found.append((start, end, phrases[phrase]))
    return sorted(found)


def _misspelt(text: str, words: dict[str, str]) -> str | None:
    """The value of the one word in `words` that a longer word of `text` is a typo of
    ("broadbnad", "televison"), else None."""
    found = set()
    for token in re.findall(r"[a-z]{5,}", text.lower()):
        close = difflib.get_close_matches(token, words, n=1, cutoff=0.84)
        if close:
            found.add(words[close[0]])
    return found.pop() if len(found) == 1 else None


@dataclass
class _Cached:
    mtime: float = -1.0
    value: Any = None


@dataclass
class Catalogue:
    """Reads each YAML file again only when its modification time changes."""

    directory: Path = MARKETING_DIR
    _cache: dict[str, _Cached] = field(default_factory=dict)

    def _load(self, name: str) -> Any:
        path = self.directory / name
        mtime = path.stat().st_mtime
        cached = self._cache.setdefault(name, _Cached())
        if cached.mtime != mtime:
            cached.value = yaml.safe_load(path.read_text()) or {}
            cached.mtime = mtime
        return cached.value

    def consent_wording(self, purpose: str) -> str:
        return self._load("consents.yml")["purposes"][purpose]["wording"]

    def complaint_categories(self) -> dict[str, str]:
        return {c["id"]: c["title"] for c in self._load("complaints.yml")["categories"]}

    def severities(self) -> dict[str, str]:
        return {s["id"]: s["title"] for s in self._load("complaints.yml")["severities"]}

    def playbooks(self) -> dict[str, Any]:
        return self._load("playbooks.yml")

    def _product_catalogue(self) -> ProductCatalogue:
        """data/catalogue/products.yml as it is now, or as it was before an edit broke it."""
        path = self.directory / PRODUCTS_FILE
        mtime = path.stat().st_mtime
        cached = self._cache.setdefault(PRODUCTS_FILE, _Cached())
        if cached.mtime != mtime:
            try:
                cached.value = load_catalogue(path)
            except CatalogueError as error:
                if cached.value is None:
                    raise
                logger.warning("%s; the product catalogue as it was before is used", error)
            cached.mtime = mtime
        return cached.value

    def products(self) -> list[Product]:
        """The product catalogue as it is now (data/catalogue/products.yml)."""
        return list(self._product_catalogue().products)

    def product(self, product_id: str | None) -> Product | None:
        return next((p for p in self.products() if p.id == product_id), None)

    def product_name(self, product_id: str) -> str:
        """The display name of a product in data/catalogue/products.yml, else its id."""
        product = self.product(product_id)
        return product.name if product else product_id

    def categories(self) -> dict[str, str]:
        """Category id -> display name, in catalogue order."""
        return {c.id: c.name for c in self._product_catalogue().categories}

    def find_products(self, text: str) -> list[Product]:
        """Products named in `text`, in the order they are mentioned (matching today's file,
        so a product added since the model was trained is still recognised)."""
        by_id = {p.id: p for p in self.products()}
        phrases = {name.lower(): p.id for p in by_id.values() for name in p.names()}
        seen: dict[str, Product] = {}
        for _, _, product_id in _mentions(text, phrases):
            seen.setdefault(product_id, by_id[product_id])
        return list(seen.values())

    def find_category(self, text: str) -> str | None:
        """The first category named in `text` by its id, name or aliases."""
        phrases = {}
        for category in self._product_catalogue().categories:
            for name in (category.id, category.name, *category.aliases):
                phrases[name.lower()] = category.id
        found = _mentions(text, phrases)
        if found:
            return found[0][2]
        return _misspelt(text, {p: c for p, c in phrases.items() if " " not in p and len(p) >= 5})


catalogue = Catalogue()
