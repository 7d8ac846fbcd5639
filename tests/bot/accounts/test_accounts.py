"""Staff accounts over HTTP: argon2 hashes, sign-in, session cookies, CSRF, roles and the CLI.

The account store's own cases (unique usernames, sessions, throttling) are in
tests/memory/test_staff.py.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys

import pytest
from aiohttp import web

from bot.accounts import AUTH, require_role, staff as staff_of
from bot.accounts.passwords import Passwords, WeakPassword
from bot.app import create_app
from bot.settings import REPO_ROOT
from memory import open_staff_database
from tests.bot.conftest import STAFF_PASSWORD

PASSWORD = "a long and winding password"


# --- passwords -----------------------------------------------------------------------------

def test_passwords_are_stored_as_argon2id_hashes_never_in_clear():
    passwords = Passwords()
    stored = passwords.hash_sync(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert passwords.verify_sync(stored, PASSWORD)
    assert not passwords.verify_sync(stored, PASSWORD + "!")
    assert not passwords.verify_sync(None, PASSWORD)
    assert not passwords.verify_sync("not a hash", PASSWORD)
    assert passwords.hash_sync(PASSWORD) != stored  # salted


@pytest.mark.parametrize("weak", ["short", " " * 20, "aaaaaaaaaaaaaaaa", "x" * 2000])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(WeakPassword):
        Passwords().hash_sync(weak)


# --- over HTTP ------------------------------------------------------------------------------

def login_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def test_the_session_cookie_is_httponly_and_samesite_strict(staff):
    await staff.account("ann")
    client = await staff.make_client(staff.server)
    form = await client.get("/staff/login")
    response = await client.post("/staff/login", data={
        "username": "ann", "password": STAFF_PASSWORD, "csrf_token": login_token(await form.text()),
        "next": "/console",
    }, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console"
    cookie = response.cookies["rapport_staff"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # development over plain http; production sets Secure (below)


def test_production_marks_session_cookies_secure(make_settings):
    from bot.accounts import policy_from

    settings = make_settings(RAPPORT_ENV="production", RAPPORT_API_KEY="k", RAPPORT_SIGNING_KEY="s",
                             RAPPORT_ENGINE_TOKEN="e")
    assert policy_from(settings).secure_cookies
    assert not policy_from(make_settings()).secure_cookies


async def test_sign_in_needs_the_forms_csrf_token_and_never_redirects_off_site(staff):
    await staff.account("ann")
    client = await staff.make_client(staff.server)
    await client.get("/staff/login")
    forged = await client.post("/staff/login", data={"username": "ann", "password": STAFF_PASSWORD,
                                                     "csrf_token": "0" * 64}, allow_redirects=False)
    assert forged.status == 403 and "rapport_staff" not in forged.cookies
    form = await client.get("/staff/login")
    response = await client.post("/staff/login", data={
        "username": "ann", "password": STAFF_PASSWORD, "csrf_token": login_token(await form.text()),
        "next": "//evil.example/steal",
    }, allow_redirects=False)
    assert response.headers["Location"] == "/console"


async def test_wrong_passwords_over_http_end_in_429_with_retry_after(staff):
    await staff.account("ann")
    client = await staff.make_client(staff.server)
    statuses = []
    for _ in range(6):
        form = await client.get("/staff/login")
        response = await client.post("/staff/login", data={
            "username": "ann", "password": "not the password", "csrf_token": login_token(await form.text()),
        }, allow_redirects=False)
        statuses.append(response.status)
    assert statuses == [401] * 5 + [429]
    assert response.headers["Retry-After"] == "30"
    assert "Too many failed sign-ins" in await response.text()


async def test_signing_out_ends_the_session(staff):
    ann = await staff.sign_in("ann")
    assert (await ann.client.get("/console/api/queue")).status == 200
    forged = await ann.client.post("/staff/logout", data={"csrf_token": "nope"}, allow_redirects=False)
    assert forged.status == 403
    out = await ann.client.post("/staff/logout", data={"csrf_token": ann.csrf}, allow_redirects=False)
    assert out.status == 303
    assert (await ann.client.get("/console/api/queue")).status == 401


@pytest.fixture
async def studio_app(aiohttp_server, aiohttp_client, staff_settings):
    """The gateway plus a marketer-only route, as the studio will add it."""

    @require_role("marketer")
    async def studio(request: web.Request) -> web.Response:
        return web.json_response({"hello": staff_of(request).username})

    @require_role("marketer")
    async def publish(request: web.Request) -> web.Response:
        return web.json_response({"published": True})

    app = create_app(staff_settings)
    app.router.add_get("/studio/test", studio)
    app.router.add_post("/studio/test/publish", publish)
    from tests.bot.conftest import StaffHarness

    return StaffHarness(await aiohttp_server(app), aiohttp_client)


async def test_roles_limit_routes_an_agent_cannot_reach_the_studio(studio_app):
    agent = await studio_app.sign_in("ann", role="agent")
    marketer = await studio_app.sign_in("mia", role="marketer")
    admin = await studio_app.sign_in("root", role="admin")

    assert (await agent.client.get("/studio/test")).status == 403
    page = await agent.client.get("/studio/test", headers={"Accept": "text/html"})
    assert page.status == 403 and "does not give access" in await page.text()
    assert (await agent.post("/studio/test/publish")).status == 403
    assert (await marketer.get_json("/studio/test")) == {"hello": "mia"}
    assert (await marketer.post("/studio/test/publish")).status == 200
    assert (await marketer.client.post("/studio/test/publish", json={})).status == 403  # no CSRF token
    assert (await admin.get_json("/studio/test")) == {"hello": "root"}
    assert (await marketer.client.get("/console/api/queue")).status == 403


# --- the command line -----------------------------------------------------------------------

def test_the_cli_creates_the_first_admin_with_a_generated_password(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), RAPPORT_DATA_DIR=str(tmp_path / "var"))
    run = lambda *args, **kw: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "bot.accounts", *args], env=env, capture_output=True, text=True, timeout=120, **kw)

    created = run("create-user", "--role", "admin", "--username", "root", "--name", "Root")
    assert created.returncode == 0, created.stderr
    password = re.search(r"password \(shown once\): (\S+)", created.stdout).group(1)
    assert len(password) >= 20
    again = run("create-user", "--role", "agent", "--username", "ROOT")
    assert again.returncode == 1 and "already exists" in again.stderr
    piped = run("create-user", "--role", "agent", "--username", "ann", "--password-stdin",
                input="a perfectly fine password\n")
    assert piped.returncode == 0 and "shown once" not in piped.stdout
    weak = run("create-user", "--role", "agent", "--username", "bob", "--password-stdin", input="short\n")
    assert weak.returncode == 1 and "at least 12" in weak.stderr
    listed = run("list-users")
    assert "root\tadmin\tRoot" in listed.stdout and "ann\tagent" in listed.stdout

    async def check() -> bool:
        url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'profile.db'}"
        database = open_staff_database(url)
        try:
            found = await database.staff.credentials("root")
            return Passwords().verify_sync(found[1], password)
        finally:
            await database.close()

    assert asyncio.run(check())


async def test_the_sign_in_form_is_rate_limited_per_client(staff):
    client = await staff.make_client(staff.server)
    statuses = []
    for n in range(12):  # a different (unknown) name each time: no account lock involved
        token = login_token(await (await client.get("/staff/login")).text())
        response = await client.post("/staff/login", data={
            "username": f"nobody{n}", "password": "guess guess guess", "csrf_token": token,
        }, allow_redirects=False)
        statuses.append(response.status)
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in await response.text()
