"""Loads the marketer-edited offer catalogue (data/marketing/offers.yml) into the profile store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml

from memory import ProfileStore

from bot.settings import REPO_ROOT

logger = logging.getLogger(__name__)

OFFERS_FILE = REPO_ROOT / "data" / "marketing" / "offers.yml"
_TARGETING = ("matches", "eligibility", "reoffer_after_days", "valid_from", "valid_to")


def read_offers(path: Path = OFFERS_FILE) -> list[dict[str, Any]]:
    return (yaml.safe_load(path.read_text()) or {}).get("offers") or []


async def sync_offers(store: ProfileStore, path: Path = OFFERS_FILE) -> int:
    """Upsert every offer in the file; offers no longer in the file are deactivated."""
    listed = read_offers(path)
    for raw in listed:
        attributes = {key: raw[key] for key in _TARGETING if key in raw}
        for key in ("valid_from", "valid_to"):
            if key in attributes:
                attributes[key] = str(attributes[key])
        await store.upsert_offer(
            str(raw["id"]), title=str(raw["title"]), description=str(raw["text"]),
            purpose=str(raw.get("consent", "offers")), active=True, attributes=attributes,
        )
    ids = {str(raw["id"]) for raw in listed}
    for offer in await store.offers():
        if offer.offer_id not in ids:
            await store.upsert_offer(
                offer.offer_id, title=offer.title, description=offer.description,
                purpose=offer.purpose, active=False, attributes=offer.attributes,
            )
    logger.info("offer catalogue synced: %d active offers", len(ids))
    return len(ids)
