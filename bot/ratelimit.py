"""Rate limiting for the gateway: the rules it applies, on the `limits` library's storage.

`RateLimiter` spends hits from (rule, key) windows kept in this process (`memory`: one
gateway, and tests) or in Redis (`redis`: N gateways behind a load balancer share them).
The strategy is `limits`' sliding window counter: two counters per key, so memory follows
the number of active clients, and every key expires on its own rule's window.
The HTTP middleware answers 429 with Retry-After; the channels check their own keys (a web
session, a Telegram chat, an integration's customer) and refuse in their own way.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property

from aiohttp import web
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

from bot.state import SETTINGS

logger = logging.getLogger(__name__)

# Paths whose requests spend a hit from the caller's IP window.
LIMITED_PREFIXES = ("/api/v1/messages", "/web/")
REDIS_PREFIX = "rapport:ratelimit"


@dataclass(frozen=True)
class Rule:
    """`burst` hits at once, refilled at `per_second` on average; zero in either turns it off.

    As a `limits` window: `burst` hits per `burst / per_second` seconds (at least 1 s).
    """

    name: str
    burst: float
    per_second: float

    @property
    def enabled(self) -> bool:
        return self.burst > 0 and self.per_second > 0

    @cached_property
    def item(self) -> RateLimitItem:
        amount = max(1, int(self.burst))
        return RateLimitItemPerSecond(amount, max(1, math.ceil(amount / self.per_second)), self.name)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the refused request would be allowed

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds for a Retry-After header: never 0, which would invite a hot loop."""
        return max(1, math.ceil(self.retry_after))


ALLOW = Decision(True)


class RateLimiter:
    """Hits against `limits` storage. If the storage fails, requests are let through:
    throttling is protection, not correctness, and an outage must not stop the chat."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._strategy = SlidingWindowCounterRateLimiter(storage)

    async def hit(self, rule: Rule, key: str, cost: int = 1) -> Decision:
        """Spend `cost` hits from the window (rule, key), or say how long to wait."""
        if not rule.enabled:
            return ALLOW
        try:
            if await self._strategy.hit(rule.item, key, cost=cost):
                return ALLOW
            stats = await self._strategy.get_window_stats(rule.item, key)
        except (StorageError, OSError) as error:
            logger.warning("rate limiter unavailable, letting the request through: %s",
                           type(error.storage_error if isinstance(error, StorageError) else error).__name__)
            return ALLOW
        wait = stats.reset_time - time.time()
        # Redis reports 0 in the first instant of a key's window: the average refill time
        # of one hit is the honest least.
        return Decision(False, wait if wait > 0 else 1 / rule.per_second)

    async def close(self) -> None:
        """Release connections (Redis) and the expiry task (memory)."""
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()
        timer = getattr(self.storage, "timer", None)
        if timer is not None and not timer.done():
            timer.cancel()


def memory_limiter() -> RateLimiter:
    return RateLimiter(MemoryStorage())


def redis_limiter(url: str, prefix: str = REDIS_PREFIX) -> RateLimiter:
    # redis-py is already the project's client; limits defaults to coredis.
    storage = RedisStorage(f"async+{url}", wrap_exceptions=True, implementation="redispy",
                           key_prefix=prefix, socket_connect_timeout=1.0, socket_timeout=1.0)
    return RateLimiter(storage)


@dataclass(frozen=True)
class Limits:
    """The limiter and the rules the gateway applies."""

    limiter: RateLimiter
    session: Rule
    ip: Rule
    customer: Rule | None = None
    new_visitor: Rule | None = None

    async def check_ip(self, ip: str) -> Decision:
        return await self.limiter.hit(self.ip, ip)

    async def check_session(self, session: str, ip: str) -> Decision:
        """One chat message: it spends from the session's window and from its IP's."""
        by_session = await self.limiter.hit(self.session, session)
        if not by_session.allowed:
            return by_session
        return await self.limiter.hit(self.ip, ip)

    async def check_new_visitor(self, ip: str) -> Decision:
        """A new anonymous web session, which writes a customer row."""
        return await self.limiter.hit(self.new_visitor, ip) if self.new_visitor else ALLOW

    async def check_customer(self, channel: str, key: str) -> Decision:
        """One message from a customer on Telegram or the REST API, where there is no IP to
        count (Telegram's servers, or one integration's server): each customer gets the web
        session's allowance."""
        return await self.limiter.hit(self.customer or self.session, f"{channel}:{key}")


LIMITS = web.AppKey("limits", Limits)


def client_ip(request: web.Request) -> str:
    """The caller's address. Behind N trusted proxies it is the Nth X-Forwarded-For entry
    from the right: entries further left were written by the client and prove nothing."""
    hops = request.app[SETTINGS].forwarded_hops
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote or "unknown"


def refusal(status: int, message: str, retry_after: int) -> web.HTTPException:
    """A JSON 429 or 503 with Retry-After, readable by the widget on another site."""
    error_class = web.HTTPTooManyRequests if status == 429 else web.HTTPServiceUnavailable
    return error_class(
        text=json.dumps({"error": message, "retry_after": retry_after}),
        content_type="application/json",
        headers={"Retry-After": str(retry_after), "Access-Control-Allow-Origin": "*"},
    )


def too_many_requests(decision: Decision) -> web.HTTPException:
    seconds = decision.retry_after_seconds
    return refusal(429, f"Too many requests. Please wait {seconds} s and try again.", seconds)


@web.middleware
async def rate_limit_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.method != "OPTIONS" and request.path.startswith(LIMITED_PREFIXES):
        decision = await request.app[LIMITS].check_ip(client_ip(request))
        if not decision.allowed:
            raise too_many_requests(decision)
    return await handler(request)


def build_limiter(backend: str, redis_url: str) -> RateLimiter:
    if backend == "memory":
        return memory_limiter()
    if backend == "redis":
        if not redis_url:
            raise ValueError("RAPPORT_RATE_LIMIT_BACKEND=redis needs RAPPORT_REDIS_URL")
        return redis_limiter(redis_url)
    raise ValueError(f"unknown rate limit backend {backend!r} (use 'memory' or 'redis')")


async def _limits_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    limiter = build_limiter(settings.rate_limit_backend, settings.redis_url)
    app[LIMITS] = Limits(
        limiter,
        session=Rule("session", settings.rate_session_burst, settings.rate_session_per_second),
        ip=Rule("ip", settings.rate_ip_burst, settings.rate_ip_per_second),
        customer=Rule("customer", settings.rate_session_burst, settings.rate_session_per_second),
        new_visitor=Rule("new_visitor", settings.rate_new_visitor_burst, settings.rate_new_visitor_per_second),
    )
    yield
    await limiter.close()


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_limits_ctx)
    app.middlewares.append(rate_limit_middleware)
