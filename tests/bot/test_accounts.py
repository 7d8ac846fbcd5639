"""Staff accounts: argon2 hashes, sign-in and its throttling, session cookies, CSRF and roles.

HTTP tests run the real gateway app; throttling and sessions are also checked on the
in-memory and SQL account stores with a controlled clock.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import web

from bot.accounts import AUTH, require_role, staff as staff_of
from bot.accounts.auth import LoginRefused, SessionPolicy, StaffAuth
from bot.accounts.passwords import Passwords, WeakPassword
from bot.accounts.throttle import ThrottlePolicy, LoginThrottle, client_network
from bot.app import create_app
from bot.settings import REPO_ROOT
from memory import InMemoryStaffStore, migrate, open_staff_database
from memory.api.staff import AccountError, AccountExists
from tests.bot.conftest import STAFF_PASSWORD

PASSWORD = "a long and winding password"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 7, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "sqlite"])
async def auth(request, clock, tmp_path):
    if request.param == "memory":
        store = InMemoryStaffStore()
        database = None
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
        await asyncio.to_thread(migrate, url)
        database = open_staff_database(url)
        store = database.staff
    yield StaffAuth(store, signing_key="k", clock=clock,
                    policy=SessionPolicy(idle=timedelta(hours=1), absolute=timedelta(hours=3)))
    if database is not None:
        await database.close()


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


# --- accounts and sessions ----------------------------------------------------------------

async def test_usernames_are_case_insensitive_and_unique(auth):
    member = await auth.create_account("Ann", "agent", PASSWORD, "Ann Lee")
    assert (member.username, member.role, member.display_name) == ("ann", "agent", "Ann Lee")
    with pytest.raises(AccountExists):
        await auth.create_account("ANN", "admin", PASSWORD)
    with pytest.raises(AccountError):
        await auth.create_account("bob", "superuser", PASSWORD)
    with pytest.raises(AccountError):
        await auth.create_account("two words", "agent", PASSWORD)


async def test_signing_in_gives_a_session_that_expires_when_idle_and_absolutely(auth, clock):
    await auth.create_account("ann", "agent", PASSWORD)
    token, session = await auth.login("Ann", PASSWORD, "10.0.0.1")
    assert (await auth.resolve(token)).member.username == "ann"
    assert await auth.resolve("forged") is None

    clock.now += timedelta(minutes=59)
    assert await auth.resolve(token) is not None  # activity slides the idle expiry
    clock.now += timedelta(minutes=59)
    assert await auth.resolve(token) is not None
    clock.now += timedelta(minutes=61)
    assert await auth.resolve(token) is None  # idle too long

    token, _ = await auth.login("ann", PASSWORD, "10.0.0.1")
    for _ in range(6):  # active all along, but three hours is the limit
        clock.now += timedelta(minutes=30)
        await auth.resolve(token)
    assert await auth.resolve(token) is None


async def test_a_new_password_or_disabling_signs_the_account_out_everywhere(auth):
    await auth.create_account("ann", "agent", PASSWORD)
    token, _ = await auth.login("ann", PASSWORD, "10.0.0.1")
    await auth.set_password("ann", "another long password")
    assert await auth.resolve(token) is None
    token, _ = await auth.login("ann", "another long password", "10.0.0.1")
    await auth.set_disabled("ann", True)
    assert await auth.resolve(token) is None
    with pytest.raises(LoginRefused):
        await auth.login("ann", "another long password", "10.0.0.1")


async def test_wrong_username_and_wrong_password_look_the_same(auth):
    await auth.create_account("ann", "agent", PASSWORD)
    with pytest.raises(LoginRefused) as unknown:
        await auth.login("nobody", PASSWORD, "10.0.0.1")
    with pytest.raises(LoginRefused) as wrong:
        await auth.login("ann", "wrong password!!", "10.0.0.2")
    assert (unknown.value.status, unknown.value.message) == (wrong.value.status, wrong.value.message) == (
        401, "Wrong username or password.")


# --- brute force ----------------------------------------------------------------------------

async def test_repeated_failures_lock_the_account_from_that_ip_with_growing_backoff(auth, clock):
    await auth.create_account("ann", "agent", PASSWORD)
    for _ in range(5):
        with pytest.raises(LoginRefused) as refused:
            await auth.login("ann", "wrong password!!", "10.0.0.1")
        assert refused.value.status == 401
    with pytest.raises(LoginRefused) as locked:
        await auth.login("ann", PASSWORD, "10.0.0.1")  # even the right password, while locked
    assert locked.value.status == 429 and locked.value.retry_after == 30

    token, _ = await auth.login("ann", PASSWORD, "10.9.9.9")  # another IP is not locked out
    assert token

    clock.now += timedelta(seconds=31)
    with pytest.raises(LoginRefused):
        await auth.login("ann", "wrong again!!!!", "10.0.0.1")  # one more try after the lock...
    with pytest.raises(LoginRefused) as longer:
        await auth.login("ann", PASSWORD, "10.0.0.1")
    assert longer.value.status == 429 and longer.value.retry_after == 60  # ...and a longer lock

    clock.now += timedelta(seconds=61)
    assert (await auth.login("ann", PASSWORD, "10.0.0.1"))[0]  # success forgives the account+IP
    with pytest.raises(LoginRefused) as fresh:
        await auth.login("ann", "wrong password!!", "10.0.0.1")
    assert fresh.value.status == 401


async def test_one_ip_spraying_many_accounts_is_locked_out(auth):
    auth.throttle = LoginThrottle(auth.store, ThrottlePolicy(ip_threshold=8))
    statuses = []
    for n in range(10):
        try:
            await auth.login(f"user{n}", "guess guess guess", "10.6.6.6")
        except LoginRefused as refused:
            statuses.append(refused.status)
    assert statuses[:7] == [401] * 7 and statuses[8:] == [429, 429]


async def test_parallel_guesses_cannot_exceed_the_limit(auth):
    await auth.create_account("ann", "agent", PASSWORD)

    async def guess(n: int) -> int:
        try:
            await auth.login("ann", f"wrong password {n}", "10.0.0.7")
        except LoginRefused as refused:
            return refused.status
        return 200

    statuses = await asyncio.gather(*(guess(n) for n in range(20)))
    assert statuses.count(401) <= 5 and statuses.count(429) >= 15


async def test_guesses_spread_over_many_ips_lock_the_account(auth):
    await auth.create_account("ann", "agent", PASSWORD)
    await auth.create_account("bob", "agent", PASSWORD)
    for n in range(20):  # a botnet: one guess from each address
        with pytest.raises(LoginRefused) as refused:
            await auth.login("ann", f"guess number {n}!", f"198.51.100.{n}")
        assert refused.value.status == 401
    with pytest.raises(LoginRefused) as locked:
        await auth.login("ann", PASSWORD, "203.0.113.9")  # a fresh address, the right password
    assert locked.value.status == 429
    assert (await auth.login("bob", PASSWORD, "198.51.100.1"))[0]  # other accounts unaffected


async def test_an_ipv6_client_is_counted_by_its_64(auth):
    await auth.create_account("ann", "agent", PASSWORD)
    for n in range(1, 6):  # five addresses of one /64
        with pytest.raises(LoginRefused):
            await auth.login("ann", "wrong password!!", f"2001:db8:1:2::{n:x}")
    with pytest.raises(LoginRefused) as locked:
        await auth.login("ann", PASSWORD, "2001:db8:1:2:ffff::1")
    assert locked.value.status == 429
    assert (await auth.login("ann", PASSWORD, "2001:db8:1:3::1"))[0]  # the next /64 is not


@pytest.mark.parametrize(("ip", "counted_as"), [
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"), ("192.0.2.7", "192.0.2.7"), ("unknown", "unknown"),
])
def test_clients_are_counted_by_address_or_ipv6_network(ip, counted_as):
    assert client_network(ip) == counted_as


async def test_sign_in_counts_are_purged_once_they_have_decayed(auth, clock):
    await auth.create_account("ann", "agent", PASSWORD)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            await auth.login("ann", "wrong password!!", "10.0.0.1")
    assert await auth.throttle.purge(clock.now) == 0  # still counting, and locked
    clock.now += auth.throttle.policy.forget_after + timedelta(seconds=1)
    assert await auth.throttle.purge(clock.now) == 3  # account+IP, IP and account rows
    assert await auth.throttle.purge(clock.now) == 0
    assert (await auth.login("ann", PASSWORD, "10.0.0.1"))[0]


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
