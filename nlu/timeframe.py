"""Finds when the customer wants something: "before September", "by next Friday", "asap".

Dates are resolved against `today()`, read at parse time, never at training time.

Value format (all dates ISO 8601):
- "2026-11-19"                   a day ("tomorrow", "on the 3rd of December", "in 3 days")
- "2026-11-23/2026-11-29"        an interval ("next week", "in January", "this weekend")
- "before:2027-09-01"            strictly before a day ("before September")
- "by:2026-11-27"                on or before a day ("by next Friday", "within 2 weeks")
- "after:2026-12-05"             strictly after a day ("after the 5th of December")
- "asap" and "flexible"          ("as soon as possible", "no rush")
"before"/"by" an interval use its first day; "after" an interval uses its last day.
additional_info: {"relation": "on" | "during" | "before" | "by" | "after" | "asap" |
"flexible", "start": ISO | None, "end": ISO | None}, the window of acceptable days.

Past references ("since Monday", "last Friday") are not timeframes and are skipped.
Here the words are found and the value written; `nlu.timeframe_resolvers` says which day or
interval each kind of match means.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from nlu import dates, timeframe_resolvers as resolve
from nlu.text import MAX_MATCHES, Found, without_overlaps
from nlu.timeframe_resolvers import DAY_WORDS, HOLIDAYS, When


def today() -> date:
    """The current date; the single seam tests and the evaluator replace to pin the clock."""
    return date.today()


ASAP = ["asap", "a.s.a.p", "a.s.a.p.", "as soon as possible", "as soon as you can",
        "right away", "straight away", "straightaway", "immediately", "right now",
        "urgently", "as quickly as possible", "at the earliest", "today if possible"]
FLEXIBLE = ["no rush", "no hurry", "not urgent", "any time", "anytime", "no deadline",
            "whenever suits", "whenever is convenient", "not in a hurry", "in no rush"]
RELATIONS = {"before": "before", "by": "by", "until": "by", "till": "by", "til": "by",
             "no later than": "by", "not later than": "by", "in time for": "before",
             "ahead of": "before", "prior to": "before", "after": "after",
             "not before": "from", "from": "from", "starting": "from", "any time after": "after"}
PAST_MARKERS = {"since", "last", "past", "ago", "yesterday", "earlier"}


def _pattern_words(words: list[str]) -> list[list[dict]]:
    return [[{"LOWER": part} for part in phrase.split()] for phrase in words]


class TimeframeFinder:
    """Timeframe mentions in a tokenized message, resolved against a given day."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        weekday = {"LOWER": {"IN": sorted(dates.WEEKDAYS)}}
        month = {"LOWER": {"IN": sorted(dates.MONTHS)}}
        ordinal = {"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}
        ordinal_word = {"LOWER": {"IN": sorted(dates.ORDINAL_WORDS)}}
        year = {"TEXT": {"REGEX": r"^(19|20)\d\d$"}, "OP": "?"}
        two = {"TEXT": {"REGEX": r"^\d{1,2}$"}}
        hyphen = {"ORTH": "-"}
        unit = {"LOWER": {"IN": sorted({*dates.UNIT_DAYS, *dates.UNIT_MONTHS})}}
        optional = lambda words: {"LOWER": {"IN": words}, "OP": "?"}  # noqa: E731
        add = self.matcher.add
        add("ASAP", _pattern_words(ASAP))
        add("FLEXIBLE", _pattern_words(FLEXIBLE))
        add("DAY", [[{"LOWER": {"IN": sorted(DAY_WORDS)}}],
                    [{"LOWER": "day"}, {"LOWER": "after"}, {"LOWER": "tomorrow"}]])
        add("WEEKDAY", [[optional(["this", "next", "coming"]), weekday]])
        add("PERIOD", [[{"LOWER": {"IN": ["this", "next", "coming", "the"]}},
                        {"LOWER": {"IN": ["week", "weekend", "month", "year"]}}]])
        add("EDGE", [[optional(["the"]), {"LOWER": {"IN": ["end", "start", "beginning", "middle"]}},
                      {"LOWER": "of"}, optional(["the", "this", "next"]),
                      {"LOWER": {"IN": ["week", "month", "year", *dates.MONTHS]}}]])
        add("DURATION", [[{"LOWER": {"IN": ["in", "within", "inside", "over"]}},
                          optional(["the"]), optional(["next", "coming"]), optional(["a", "an"]),
                          optional(["couple", "few", "several"]), optional(["of"]),
                          {"LIKE_NUM": True, "OP": "?"}, unit],
                         [{"LIKE_NUM": True}, unit, {"LOWER": "time"}],
                         [{"LIKE_NUM": True}, unit, {"LOWER": "from"}, {"LOWER": "now"}],
                         [{"LOWER": {"IN": ["a", "an"]}}, unit, {"LOWER": "from"},
                          {"LOWER": "now"}]])
        add("DATE", [[month, ordinal, {"ORTH": ",", "OP": "?"}, year],
                     [optional(["the"]), ordinal, optional(["of"]), month, year],
                     [optional(["the"]), ordinal_word, optional(["of"]), month, year],
                     [month, year]])
        add("NUMERIC", [[{"TEXT": {"REGEX": r"^\d{1,2}/\d{1,2}(/\d{2}|/\d{4})?$"}}],
                        [{"TEXT": {"REGEX": r"^\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})$"}}],
                        [{"TEXT": {"REGEX": r"^\d{4}$"}}, hyphen, two, hyphen, two],
                        [two, hyphen, two, hyphen, {"TEXT": {"REGEX": r"^(\d{2}|\d{4})$"}}]])
        add("ORDINAL", [[{"LOWER": "the"}, {"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)$"}}],
                        [{"LOWER": "the"}, ordinal_word]])
        add("HOLIDAY", _pattern_words(list(HOLIDAYS)))
        self.resolvers: dict[str, Callable[[Span, date], When | None]] = {
            "ASAP": lambda span, day: When("asap", day, day),
            "FLEXIBLE": lambda span, day: When("flexible"),
            "DAY": resolve.day_word, "WEEKDAY": resolve.weekday, "PERIOD": resolve.period,
            "EDGE": resolve.edge, "DURATION": resolve.duration, "DATE": resolve.calendar_date,
            "NUMERIC": resolve.numeric_date, "ORDINAL": resolve.ordinal, "HOLIDAY": resolve.holiday,
        }

    def find(self, doc: Doc, day: date) -> list[Found]:
        found = []
        for match_id, start, end in self.matcher(doc)[:MAX_MATCHES]:
            span = doc[start:end]
            if self._is_past(doc, start, end):
                continue
            when = self.resolvers[doc.vocab.strings[match_id]](span, day)
            if when is not None:
                found.append(self._describe(doc, start, end, when, day))
        return without_overlaps(found)

    @staticmethod
    def _is_past(doc: Doc, start: int, end: int) -> bool:
        before = {token.lower_ for token in doc[max(0, start - 2):start]}
        return bool(before & PAST_MARKERS) or (end < len(doc) and doc[end].lower_ == "ago")

    def _describe(self, doc: Doc, start: int, end: int, when: When, day: date) -> Found:
        relation = when.relation
        for size in (3, 2, 1):
            phrase = doc[max(0, start - size):start].text.lower()
            if start - size >= 0 and phrase in RELATIONS and when.kind in ("day", "interval"):
                relation, start = RELATIONS[phrase], start - size
                break
        span = doc[start:end]
        first, last = when.first, when.last
        if when.kind in ("asap", "flexible"):
            value, relation = when.kind, when.kind
        elif relation == "before":
            value, first, last = f"before:{first.isoformat()}", day, first - timedelta(days=1)
        elif relation == "by":
            anchor = last if when.relation == "by" else first
            value, first, last = f"by:{anchor.isoformat()}", day, anchor
        elif relation == "after":
            value, first, last = f"after:{last.isoformat()}", last + timedelta(days=1), None
        elif relation == "from":
            relation, last = "after", None
            value = f"after:{(first - timedelta(days=1)).isoformat()}"
        elif first == last:
            value, relation = first.isoformat(), "on"
        else:
            value, relation = f"{first.isoformat()}/{last.isoformat()}", "during"
        info = {"relation": relation, "start": first.isoformat() if first else None,
                "end": last.isoformat() if last else None}
        return Found("timeframe", span.start_char, span.end_char, value, info)
