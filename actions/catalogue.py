"""Marketer-edited data: offers (from the store's catalogue) and the consent wording, complaint
categories and playbooks files, reloaded whenever a file changes, so edits go live without
retraining or restarting."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from memory.crm_views import OfferView

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

    def product_name(self, product_id: str) -> str:
        """The display name of a product in data/catalogue/products.yml, else its id."""
        products = self._load("../catalogue/products.yml").get("products", [])
        return next((p["name"] for p in products if p.get("id") == product_id), product_id)


catalogue = Catalogue()
