"""Integrations' API keys: the command line, hashed storage, revocation and namespaced customers."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys

import pytest

from bot.channels.rest.integrations import DEVELOPMENT, Integration, Integrations, InvalidIntegration
from bot.settings import REPO_ROOT
from bot.state import STORE
from memory import InMemoryProfileStore

DEV = {"Authorization": "Bearer test-api-key"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def post(gateway, customer: str, headers, text: str = "hello"):
    return await gateway.post(
        "/api/v1/messages", json={"customer": customer, "text": text}, headers=headers
    )


async def test_a_created_key_authenticates_only_its_integration():
    store = InMemoryProfileStore()
    integrations = Integrations(store, "dev-key")
    key = await integrations.create("crm", actor="test")
    assert re.fullmatch(r"rk_[A-Za-z0-9_-]{43}", key)

    assert await integrations.authenticate(key) == Integration("crm")
    assert await integrations.authenticate("dev-key") == Integration(DEVELOPMENT)
    assert await integrations.authenticate(key + "x") is None
    assert await integrations.authenticate("rk_" + "A" * 43) is None
    [listed] = await integrations.listed()
    assert listed.prefix == key[:9] and listed.active

    with pytest.raises(InvalidIntegration, match="already has an active key"):
        await integrations.create("crm", actor="test")
    assert await integrations.revoke("crm", actor="test")
    assert await integrations.authenticate(key) is None
    assert not await integrations.revoke("crm", actor="test")


@pytest.mark.parametrize("name", ["", "CRM", "-crm", "a" * 41, "crm shop", DEVELOPMENT])
async def test_bad_or_reserved_names_are_refused(name):
    with pytest.raises(InvalidIntegration):
        await Integrations(InMemoryProfileStore()).create(name, actor="test")


async def test_each_integrations_customer_references_are_its_own(gateway, fake_engine):
    integrations = Integrations(gateway.app[STORE])
    crm = await integrations.create("crm", actor="test")
    shop = await integrations.create("shop", actor="test")

    for headers in (DEV, bearer(crm), bearer(shop)):
        response = await post(gateway, "cust-1", headers)
        assert response.status == 200, await response.text()

    store = gateway.app[STORE]
    customers = [
        await store.find_customer("api", "cust-1"),  # the development integration
        await store.find_customer("api:crm", "cust-1"),
        await store.find_customer("api:shop", "cust-1"),
    ]
    assert None not in customers and len(set(customers)) == 3
    senders = [body["sender"] for body in fake_engine.received]
    assert len(set(senders)) == 3 and all(s.startswith("api.") for s in senders)


async def test_a_revoked_key_is_refused_at_once(gateway, fake_engine):
    integrations = Integrations(gateway.app[STORE])
    key = await integrations.create("crm", actor="test")
    assert (await post(gateway, "cust-1", bearer(key))).status == 200
    await integrations.revoke("crm", actor="test")

    response = await post(gateway, "cust-1", bearer(key))
    assert response.status == 401
    assert (await response.json())["error"] == "The API key is not valid."
    assert len(fake_engine.received) == 1


def run_cli(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ, "PYTHONPATH": str(REPO_ROOT), "RAPPORT_DATA_DIR": str(settings.data_dir),
        "RAPPORT_API_KEY": "test-api-key", "RAPPORT_SIGNING_KEY": "test-signing-key",
        "RAPPORT_ENGINE_TOKEN": "test-engine-token",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.channels.rest", *args], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )


async def test_the_command_line_creates_lists_and_revokes_keys(gateway_settings, aiohttp_client,
                                                               fake_engine):
    created = run_cli(gateway_settings, "create", "crm")
    assert created.returncode == 0, created.stderr
    key = re.search(r"rk_[A-Za-z0-9_-]{43}", created.stdout).group(0)

    # Only the digest reaches the database.
    with sqlite3.connect(gateway_settings.data_dir / "profile.db") as db:
        stored = db.execute("SELECT integration, prefix, key_hash FROM api_keys").fetchall()
    assert stored == [("crm", key[:9], hashlib.sha256(key.encode()).hexdigest())]

    listed = run_cli(gateway_settings, "list")
    assert listed.returncode == 0 and "crm" in listed.stdout and key[:9] in listed.stdout
    assert key not in listed.stdout

    again = run_cli(gateway_settings, "create", "crm")
    assert again.returncode == 1 and "revoke it first" in again.stderr

    from bot.app import create_app

    client = await aiohttp_client(create_app(gateway_settings))
    assert (await post(client, "cust-1", bearer(key))).status == 200
    revoked = run_cli(gateway_settings, "revoke", "crm")
    assert revoked.returncode == 0, revoked.stderr
    assert (await post(client, "cust-1", bearer(key))).status == 401
    assert "revoked" in run_cli(gateway_settings, "list").stdout
    assert run_cli(gateway_settings, "revoke", "nobody").returncode == 1
