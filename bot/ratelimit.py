"""Rate limiting for the gateway: token buckets per chat session and per client IP.

`RateLimiter` is the small interface; `InMemoryRateLimiter` serves one gateway and tests,
`RedisRateLimiter` shares buckets between N gateways behind a load balancer. The HTTP
middleware answers 429 with Retry-After; the web channel checks each WebSocket frame
itself and answers with an error frame.
"""

from __future__ import annotations

import abc
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from redis import asyncio as redis_asyncio
from redis.exceptions import RedisError

from bot.state import SETTINGS

logger = logging.getLogger(__name__)

# Paths whose requests spend a token from the caller's IP bucket.
LIMITED_PREFIXES = ("/api/v1/messages", "/web/")


@dataclass(frozen=True)
class Rule:
    """A bucket of `burst` tokens refilled at `per_second`; a rule with zero in either is off."""

    name: str
    burst: float
    per_second: float

    @property
    def enabled(self) -> bool:
        return self.burst > 0 and self.per_second > 0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the refused request would be allowed

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds for a Retry-After header: never 0, which would invite a hot loop."""
        return max(1, math.ceil(self.retry_after))


ALLOW = Decision(True)


class RateLimiter(abc.ABC):
    @abc.abstractmethod
    async def hit(self, rule: Rule, key: str, cost: float = 1.0) -> Decision:
        """Take `cost` tokens from the bucket (rule, key), or say how long to wait."""

    async def close(self) -> None:
        """Release connections."""


class InMemoryRateLimiter(RateLimiter):
    """Buckets in this process: right for one gateway, and the fake for tests."""

    SWEEP_EVERY = 10_000  # hits between sweeps of buckets that have refilled completely

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._hits = 0

    async def hit(self, rule: Rule, key: str, cost: float = 1.0) -> Decision:
        if not rule.enabled:
            return ALLOW
        now = self._clock()
        tokens, updated = self._buckets.get((rule.name, key), (rule.burst, now))
        tokens = min(rule.burst, tokens + (now - updated) * rule.per_second)
        if tokens >= cost:
            decision, tokens = ALLOW, tokens - cost
        else:
            decision = Decision(False, (cost - tokens) / rule.per_second)
        self._buckets[(rule.name, key)] = (tokens, now)
        self._hits += 1
        if self._hits % self.SWEEP_EVERY == 0:
            self._sweep(now, rule)
        return decision

    def _sweep(self, now: float, rule: Rule) -> None:
        # A bucket that would be full again is the same as no bucket: forget it so that
        # memory follows the number of active clients, not every client ever seen.
        full_after = rule.burst / rule.per_second
        for bucket_key, (_, updated) in list(self._buckets.items()):
            if now - updated > full_after:
                del self._buckets[bucket_key]


# Token bucket in one atomic step. Redis's own clock keeps N gateways consistent.
_REDIS_BUCKET = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local allowed = 0
local retry_after = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry_after = (cost - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(retry_after)}
"""


class RedisRateLimiter(RateLimiter):
    """Buckets in Redis, shared by every gateway. If Redis fails, requests are let through."""

    def __init__(self, client, prefix: str = "rapport:ratelimit:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_REDIS_BUCKET)

    @classmethod
    def from_url(cls, url: str, prefix: str = "rapport:ratelimit:") -> RedisRateLimiter:
        return cls(redis_asyncio.from_url(url), prefix)

    async def hit(self, rule: Rule, key: str, cost: float = 1.0) -> Decision:
        if not rule.enabled:
            return ALLOW
        try:
            allowed, retry_after = await self._script(
                keys=[f"{self._prefix}{rule.name}:{key}"],
                args=[rule.burst, rule.per_second, cost],
            )
        except (RedisError, OSError) as error:
            # Throttling is protection, not correctness: an outage must not stop the chat.
            logger.warning("rate limiter unavailable, letting the request through: %s",
                           type(error).__name__)
            return ALLOW
        return Decision(bool(int(allowed)), float(retry_after))

    async def close(self) -> None:
        await self._client.aclose()


@dataclass(frozen=True)
class Limits:
    """The limiter and the rules the gateway applies."""

    limiter: RateLimiter
    session: Rule
    ip: Rule

    async def check_ip(self, ip: str) -> Decision:
        return await self.limiter.hit(self.ip, ip)

    async def check_session(self, session: str, ip: str) -> Decision:
        """One chat message: it spends from the session's bucket and from its IP's."""
        by_session = await self.limiter.hit(self.session, session)
        if not by_session.allowed:
            return by_session
        return await self.limiter.hit(self.ip, ip)


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


def too_many_requests(decision: Decision) -> web.HTTPTooManyRequests:
    seconds = decision.retry_after_seconds
    return web.HTTPTooManyRequests(
        text=json.dumps({
            "error": f"Too many requests. Please wait {seconds} s and try again.",
            "retry_after": seconds,
        }),
        content_type="application/json",
        # The widget on another site must be able to read the refusal.
        headers={"Retry-After": str(seconds), "Access-Control-Allow-Origin": "*"},
    )


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
        return InMemoryRateLimiter()
    if backend == "redis":
        if not redis_url:
            raise ValueError("RAPPORT_RATE_LIMIT_BACKEND=redis needs RAPPORT_REDIS_URL")
        return RedisRateLimiter.from_url(redis_url)
    raise ValueError(f"unknown rate limit backend {backend!r} (use 'memory' or 'redis')")


async def _limits_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    limiter = build_limiter(settings.rate_limit_backend, settings.redis_url)
    app[LIMITS] = Limits(
        limiter,
        session=Rule("session", settings.rate_session_burst, settings.rate_session_per_second),
        ip=Rule("ip", settings.rate_ip_burst, settings.rate_ip_per_second),
    )
    yield
    await limiter.close()


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_limits_ctx)
    app.middlewares.append(rate_limit_middleware)
