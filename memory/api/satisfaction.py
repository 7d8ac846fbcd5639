"""Satisfaction area: the five levels, each reading, and the trend over the last ones.

The interface checks every input once, then calls the storage step that the fake and
SQL stores implement.
"""
from __future__ import annotations

import abc
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memory.api import validation
from memory.api.provenance import Source


class Satisfaction(str, enum.Enum):
    """The five levels; each has its own course of action in the bot."""

    COMPLETELY_DISSATISFIED = "completely_dissatisfied"
    DISSATISFIED = "dissatisfied"
    NEUTRAL = "neutral"
    SATISFIED = "satisfied"
    COMPLETELY_SATISFIED = "completely_satisfied"

    @property
    def score(self) -> int:
        return SATISFACTION_LEVELS.index(self.value) + 1


SATISFACTION_LEVELS = tuple(level.value for level in Satisfaction)


@dataclass(frozen=True)
class SatisfactionReading:
    id: int
    customer_id: str
    level: str
    source: Source
    created_at: datetime
    comment: str | None = None

    @property
    def score(self) -> int:
        return SATISFACTION_LEVELS.index(self.level) + 1


@dataclass(frozen=True)
class SatisfactionTrend:
    latest: str | None
    average: float | None
    direction: str  # "improving", "declining", "steady" or "unknown"
    readings: tuple[SatisfactionReading, ...] = ()


def satisfaction_direction(scores_newest_first: list[int]) -> str:
    """Compare the latest reading with the mean of the ones before it."""
    if len(scores_newest_first) < 2:
        return "unknown"
    latest, earlier = scores_newest_first[0], scores_newest_first[1:]
    mean = sum(earlier) / len(earlier)
    if latest > mean:
        return "improving"
    if latest < mean:
        return "declining"
    return "steady"


def trend_of(readings_newest_first: list[SatisfactionReading]) -> SatisfactionTrend:
    """SatisfactionTrend of readings given newest first."""
    if not readings_newest_first:
        return SatisfactionTrend(latest=None, average=None, direction="unknown")
    scores = [r.score for r in readings_newest_first]
    return SatisfactionTrend(
        latest=readings_newest_first[0].level,
        average=round(sum(scores) / len(scores), 2),
        direction=satisfaction_direction(scores),
        readings=tuple(readings_newest_first),
    )


class SatisfactionStore(abc.ABC):
    async def record_satisfaction(
        self, customer_id: str, level: str, *, source: Source, comment: str | None = None
    ) -> SatisfactionReading:
        """The storage step gets the checked `level`, `source` and `comment`."""
        return await self._record_satisfaction(customer_id, {
            "level": validation.choice("level", level, SATISFACTION_LEVELS),
            "source": validation.source(source),
            "comment": validation.optional_text("comment", comment, validation.MAX_LONG_TEXT),
        })

    @abc.abstractmethod
    async def satisfaction(self, customer_id: str) -> list[SatisfactionReading]:
        """Every reading, newest first."""

    async def satisfaction_trend(self, customer_id: str, *, last: int = 5) -> SatisfactionTrend:
        """The latest level, the mean score (1-5) and the direction over the last readings."""
        last = validation.check_limit(last)
        return trend_of((await self.satisfaction(customer_id))[:last])

    @abc.abstractmethod
    async def _record_satisfaction(
        self, customer_id: str, values: dict[str, Any]
    ) -> SatisfactionReading: ...
