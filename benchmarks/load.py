"""A closed-loop load generator: N concurrent customers, each waiting for its reply before sending
the next message, for a fixed duration. Shared by the throughput benchmarks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

Send = Callable[[aiohttp.ClientSession, int, int], Awaitable[bool]]


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> dict[str, float]:
        return {
            "messages": len(self.latencies),
            "errors": self.errors,
            "throughput_msg_s": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(self.percentile(50) * 1000, 1),
            "p95_ms": round(self.percentile(95) * 1000, 1),
            "p99_ms": round(self.percentile(99) * 1000, 1),
        }


async def run_load(send: Send, *, users: int, seconds: float, warmup: float = 3.0) -> LoadResult:
    """Each user calls send(session, user, turn) in a loop; only post-warm-up turns are measured."""
    result = LoadResult()
    start = time.monotonic()
    measure_from = start + warmup
    stop_at = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)

    async def user(index: int, session: aiohttp.ClientSession) -> None:
        turn = 0
        while (now := time.monotonic()) < stop_at:
            ok = await send(session, index, turn)
            done = time.monotonic()
            if now >= measure_from and done <= stop_at:
                if ok:
                    result.latencies.append(done - now)
                else:
                    result.errors += 1
            turn += 1

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(user(i, session) for i in range(users)))
    result.seconds = seconds
    return result
