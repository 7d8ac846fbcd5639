"""Handoff rules from YAML: staffed hours, queue priority and wait, and configured triggers.

Read once when the gateway starts (bot/handoff/rules.yml unless RAPPORT_HANDOFF_RULES
names another file); a malformed file fails loudly with its path and the bad entry.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.yml")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEVERITY_ORDER = ("low", "medium", "high", "critical")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class RulesError(ValueError):
    """The rules file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class StaffedHours:
    zone: ZoneInfo
    weekly: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    closed_dates: frozenset[date] = frozenset()
    always: bool = False

    def is_open(self, moment: datetime) -> bool:
        if self.always:
            return True
        local = moment.astimezone(self.zone)
        if local.date() in self.closed_dates:
            return False
        return any(start <= local.time() < end for start, end in self.weekly.get(local.weekday(), ()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next moment staff are in, in local time (None when never staffed)."""
        if self.always:
            return moment.astimezone(self.zone)
        local = moment.astimezone(self.zone)
        for offset in range(0, 15):
            day = local.date() + timedelta(days=offset)
            if day in self.closed_dates:
                continue
            for start, end in self.weekly.get(day.weekday(), ()):
                opening = datetime.combine(day, start, tzinfo=self.zone)
                if opening > local or (offset == 0 and start <= local.time() < end):
                    return max(opening, local)
        return None

    def describe(self) -> str:
        if self.always:
            return "around the clock"
        parts = []
        for index, name in enumerate(DAYS):
            ranges = self.weekly.get(index)
            if ranges:
                spans = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in ranges)
                parts.append(f"{name.capitalize()} {spans}")
        return ", ".join(parts) + f" ({self.zone.key} time)"


@dataclass(frozen=True)
class Trigger:
    reason: str
    message: str | None = None
    value_tiers: frozenset[str] | None = None
    open_complaint: bool | None = None
    min_severity: str | None = None
    text_pattern: re.Pattern[str] | None = None
    channels: frozenset[str] | None = None

    @property
    def needs_complaints(self) -> bool:
        return self.open_complaint is not None or self.min_severity is not None

    def matches_message(self, text: str, channel: str) -> bool:
        """The conditions on the message itself, which cost nothing to check."""
        if self.channels is not None and channel not in self.channels:
            return False
        return self.text_pattern is None or bool(self.text_pattern.search(text))

    def matches(self, *, text: str, channel: str, value_tier: str | None = None,
                open_severities: tuple[str, ...] = ()) -> bool:
        return self.matches_message(text, channel) and self.matches_customer(value_tier, open_severities)

    def matches_customer(self, value_tier: str | None, open_severities: tuple[str, ...]) -> bool:
        """The conditions on the customer: their value tier and open complaints."""
        if self.value_tiers is not None and value_tier not in self.value_tiers:
            return False
        if self.open_complaint is not None and bool(open_severities) != self.open_complaint:
            return False
        if self.min_severity is not None:
            floor = SEVERITY_ORDER.index(self.min_severity)
            if not any(SEVERITY_ORDER.index(s) >= floor for s in open_severities if s in SEVERITY_ORDER):
                return False
        return True


@dataclass(frozen=True)
class HandoffRules:
    hours: StaffedHours
    reason_weights: dict[str, int]
    severity_weights: dict[str, int]
    tier_weights: dict[str, int]
    minutes_per_customer: float = 6.0
    update_every: timedelta = timedelta(seconds=60)
    triggers: tuple[Trigger, ...] = ()

    def priority(self, reason: str, severity: str | None, tier: str | None) -> int:
        return (
            self.reason_weights.get(reason, self.reason_weights.get("default", 0))
            + self.severity_weights.get(severity or "", 0)
            + self.tier_weights.get(tier or "", 0)
        )

    def estimated_wait_minutes(self, position: int, agents: int) -> int:
        return max(1, math.ceil(position * self.minutes_per_customer / max(1, agents)))


def worst_severity(severities: tuple[str, ...]) -> str | None:
    known = [s for s in severities if s in SEVERITY_ORDER]
    return max(known, key=SEVERITY_ORDER.index) if known else None


def _weights(source: Path, raw: Any, name: str) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, (int, float)) for v in raw.values()):
        raise RulesError(f"{source}: priority.{name} must map names to numbers")
    return {str(k): int(v) for k, v in raw.items()}


def _hours(source: Path, raw: Any) -> StaffedHours:
    if not isinstance(raw, dict):
        raise RulesError(f"{source}: 'staffed_hours' must be a mapping")
    try:
        zone = ZoneInfo(str(raw.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        raise RulesError(f"{source}: unknown time zone {raw.get('timezone')!r}") from None
    if raw.get("always"):
        return StaffedHours(zone, always=True)
    weekly: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, ranges in (raw.get("weekly") or {}).items():
        if day not in DAYS or not isinstance(ranges, list):
            raise RulesError(f"{source}: staffed_hours.weekly.{day}: expected a day name and a list")
        spans = []
        for text in ranges:
            match = _RANGE.match(str(text))
            if not match:
                raise RulesError(f"{source}: staffed_hours.weekly.{day}: {text!r} is not HH:MM-HH:MM")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            start, end = time(h1, m1), time(min(h2, 23), m2 if h2 < 24 else 59, 59 if h2 >= 24 else 0)
            if end <= start:
                raise RulesError(f"{source}: staffed_hours.weekly.{day}: {text!r} ends before it starts")
            spans.append((start, end))
        weekly[DAYS.index(day)] = tuple(spans)
    try:
        closed = frozenset(date.fromisoformat(str(d)) for d in raw.get("closed_dates") or ())
    except ValueError as error:
        raise RulesError(f"{source}: staffed_hours.closed_dates: {error}") from None
    return StaffedHours(zone, weekly, closed)


def _trigger(source: Path, index: int, raw: Any) -> Trigger:
    where = f"{source}: triggers[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("reason"), str):
        raise RulesError(f"{where}: each trigger needs a 'reason'")
    when = raw.get("when") or {}
    unknown = set(when) - {"value_tier", "open_complaint", "min_severity", "text_matches", "channels"}
    if not when or unknown:
        raise RulesError(f"{where}: 'when' needs known conditions (unknown: {sorted(unknown)})")
    pattern = None
    if "text_matches" in when:
        try:
            pattern = re.compile(str(when["text_matches"]), re.IGNORECASE)
        except re.error as error:
            raise RulesError(f"{where}: text_matches is not a valid regex: {error}") from None
    severity = when.get("min_severity")
    if severity is not None and severity not in SEVERITY_ORDER:
        raise RulesError(f"{where}: min_severity must be one of {SEVERITY_ORDER}")
    return Trigger(
        reason=raw["reason"],
        message=str(raw["message"]) if raw.get("message") else None,
        value_tiers=frozenset(when["value_tier"]) if "value_tier" in when else None,
        open_complaint=bool(when["open_complaint"]) if "open_complaint" in when else None,
        min_severity=severity,
        text_pattern=pattern,
        channels=frozenset(when["channels"]) if "channels" in when else None,
    )


def load_rules(path: str | Path | None = None) -> HandoffRules:
    source = Path(path) if path is not None else DEFAULT_RULES_PATH
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise RulesError(f"{source}: cannot read the handoff rules: {error}") from None
    if not isinstance(document, dict):
        raise RulesError(f"{source}: expected a mapping at the top")
    priority = document.get("priority") or {}
    queue = document.get("queue") or {}
    return HandoffRules(
        hours=_hours(source, document.get("staffed_hours") or {"always": True}),
        reason_weights=_weights(source, priority.get("reason"), "reason"),
        severity_weights=_weights(source, priority.get("severity"), "severity"),
        tier_weights=_weights(source, priority.get("value_tier"), "value_tier"),
        minutes_per_customer=float(queue.get("minutes_per_customer", 6)),
        update_every=timedelta(seconds=float(queue.get("update_every_seconds", 60))),
        triggers=tuple(_trigger(source, i, t) for i, t in enumerate(document.get("triggers") or ())),
    )
