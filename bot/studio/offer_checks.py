"""Checks for the offer catalogue (data/marketing/offers.yml): every offer has an id, a title
and a text; ids are unique; its consent purpose is one customers can grant
(data/marketing/consents.yml); its products and categories are in the catalogue; its tiers
and channels exist; its re-offer pause is a whole number of days; its dates are dates, in
order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.settings import REPO_ROOT
from bot.studio.project import CATALOGUE, CONSENTS, load_yaml

VALUE_TIERS = ("new", "standard", "top")
CHANNELS = ("web", "telegram", "api")


def reference_data() -> tuple[set[str], set[str], set[str]]:
    """Consent purposes, and the catalogue's product ids and categories (read-only inputs)."""
    consents = load_yaml((REPO_ROOT / CONSENTS).read_text(encoding="utf-8")) or {}
    catalogue = load_yaml((REPO_ROOT / CATALOGUE).read_text(encoding="utf-8")) or {}
    products = [p for p in catalogue.get("products") or [] if isinstance(p, dict)]
    categories = {str(p.get("category")) for p in products} | set(catalogue.get("categories") or ())
    purposes = set((consents.get("purposes") or {}).keys())
    return purposes, {str(p.get("id")) for p in products}, categories


def check_offers(data: Any, report: Any) -> None:
    """Add every problem of the offers file to `report` (a bot.studio.checks.Report)."""
    offers = data.get("offers") if isinstance(data, dict) else None
    if not isinstance(offers, list):
        report.add(("offers",), "The offers file must have an 'offers:' list.", code="offers")
        return
    purposes, products, categories = reference_data()
    seen: set[str] = set()
    for index, offer in enumerate(offers):
        if not isinstance(offer, dict):
            report.add(("offers", index), "Each offer needs an id, a title and a text.",
                       code="offer")
            continue
        offer_id = str(offer.get("id") or "")
        label = f"The offer {offer_id}" if offer_id else f"Offer {index + 1}"

        def add(keys: tuple, message: str, code: str) -> None:
            report.add(("offers", index, *keys), f"{label}: {message}", code=code,
                       subject=f"{offer_id}:{code}")

        for required in ("id", "title", "text"):
            if not isinstance(offer.get(required), str) or not offer[required].strip():
                add((required,), f"'{required}' is missing.", f"offer-{required}")
        if offer_id in seen:
            add(("id",), "another offer already has this id.", "offer-duplicate")
        seen.add(offer_id)
        purpose = offer.get("consent", "offers")
        if purpose not in purposes:
            add(("consent",), f"the consent purpose '{purpose}' is not one customers can agree to "
                f"(known purposes: {', '.join(sorted(purposes))}).", "offer-consent")
        _targeting(offer, add, products, categories)
        _validity(offer, add)


def _targeting(offer: dict[str, Any], add, products: set[str], categories: set[str]) -> None:
    matches = offer.get("matches") or {}
    if not isinstance(matches, dict):
        add(("matches",), "'matches' lists products and categories.", "offer-matches")
        matches = {}
    for product in matches.get("products") or ():
        if str(product) not in products:
            add(("matches", "products"), f"'{product}' is not a product in the catalogue.",
                "offer-product")
    for category in matches.get("categories") or ():
        if categories and str(category) not in categories:
            add(("matches", "categories"), f"'{category}' is not a catalogue category.",
                "offer-category")
    eligibility = offer.get("eligibility") or {}
    if not isinstance(eligibility, dict):
        add(("eligibility",), "'eligibility' lists value_tiers, channels or segments.",
            "offer-eligibility")
        eligibility = {}
    for key, allowed in (("value_tiers", VALUE_TIERS), ("channels", CHANNELS)):
        for value in eligibility.get(key) or ():
            if value not in allowed:
                add(("eligibility", key), f"'{value}' is not one of {', '.join(allowed)}.",
                    f"offer-{key}")


def _validity(offer: dict[str, Any], add) -> None:
    pause = offer.get("reoffer_after_days", 0)
    if not isinstance(pause, int) or isinstance(pause, bool) or pause < 0:
        add(("reoffer_after_days",), "the re-offer pause must be a whole number of days "
            "(0 or more).", "offer-pause")
    dates = {}
    for key in ("valid_from", "valid_to"):
        value = offer.get(key)
        if value is None:
            continue
        try:
            dates[key] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            add((key,), f"'{value}' is not a date like 2027-12-31.", "offer-date")
    if len(dates) == 2 and dates["valid_from"] > dates["valid_to"]:
        add(("valid_to",), "it ends before it starts.", "offer-dates")
