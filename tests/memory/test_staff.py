"""The staff account store on the fake and on SQLite, driven as the gateway drives it (through
`bot.accounts.auth.StaffAuth`, with a controlled clock): unique usernames, sessions that
expire, signing out everywhere, and sign-in throttling that holds under parallel guesses.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from bot.accounts.auth import LoginRefused, SessionPolicy, StaffAuth
from bot.accounts.throttle import LoginThrottle, ThrottlePolicy, client_network
from memory import InMemoryStaffStore, migrate, open_staff_database
from memory.api.staff import AccountError, AccountExists

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
