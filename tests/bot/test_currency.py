"""One currency setting: RAPPORT_CURRENCY (GBP) for the console's value view and the engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.state import STORE
from bot.supervisor import services
from memory import Source
from tests.bot.console.test_console import queued

CHAT = Source("web")


async def test_the_console_shows_the_potential_of_a_stated_budget_in_pounds(staff):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    store = staff.app[STORE]
    await store.add_need(customer.customer_id, category="mobile", budget="25 GBP/month",
                         words="lots of data, about 25 a month", source=CHAT)
    await store.add_need(customer.customer_id, category="tv", budget="30 EUR/month",
                         words="a TV package, 30 euros", source=CHAT)

    panel = (await ann.get_json(f"/console/api/handoffs/{handoff['id']}"))["profile"]
    # static/console/profile.js shows "Potential: <potential> <currency>"; euros are not added
    # to pounds.
    assert (panel["value"]["potential"], panel["value"]["currency"]) == ("25.00", "GBP")


async def test_a_gateway_set_to_euros_counts_euros(make_settings, migrated_profile_db: Path,
                                                   aiohttp_client):
    settings = make_settings(RAPPORT_CURRENCY="eur")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_profile_db, settings.data_dir / "profile.db")
    client = await aiohttp_client(create_app(settings))
    store = client.server.app[STORE]
    customer = await store.identify("web", "euro")
    await store.add_need(customer, category="mobile", budget="30 EUR/month", words="30 euros",
                         source=CHAT)
    value = await store.value(customer)
    assert (value.potential, value.currency) == (30, "EUR")


def test_the_setting_defaults_to_pounds_and_refuses_what_is_not_a_code(make_settings):
    assert make_settings().currency == "GBP"
    assert make_settings(RAPPORT_CURRENCY=" usd ").currency == "USD"
    for bad in ("EURO", "€", "E1"):
        with pytest.raises(ValueError, match="RAPPORT_CURRENCY"):
            make_settings(RAPPORT_CURRENCY=bad)


def test_every_process_gets_the_resolved_currency(make_settings, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("RAPPORT_CURRENCY", raising=False)
    settings: Settings = make_settings(RAPPORT_CURRENCY="eur")
    started = services(settings, tmp_path / "endpoints.yml", tmp_path / "credentials.yml",
                       tmp_path / "model.tar.gz")
    assert {s.name: s.env["RAPPORT_CURRENCY"] for s in started} == {
        "actions": "EUR", "engine": "EUR", "gateway": "EUR"}
    default = services(make_settings(), tmp_path / "e.yml", tmp_path / "c.yml", tmp_path / "m")
    assert {s.env["RAPPORT_CURRENCY"] for s in default} == {"GBP"}
