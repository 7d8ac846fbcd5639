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
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from nlu import dates
from nlu.numbers import COUNT_WORDS, number_at
from nlu.text import MAX_MATCHES, Found, without_overlaps


def today() -> date:
    """The current date; the single seam tests and the evaluator replace to pin the clock."""
    return date.today()


ASAP = ["asap", "a.s.a.p", "a.s.a.p.", "as soon as possible", "as soon as you can",
        "right away", "straight away", "straightaway", "immediately", "right now",
        "urgently", "as quickly as possible", "at the earliest", "today if possible"]
FLEXIBLE = ["no rush", "no hurry", "not urgent", "any time", "anytime", "no deadline",
            "whenever suits", "whenever is convenient", "not in a hurry", "in no rush"]
DAY_WORDS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "tomorow": 1,
             "tommorow": 1, "tommorrow": 1}
HOLIDAYS = {"christmas": (12, 25), "xmas": (12, 25), "christmas day": (12, 25),
            "christmas eve": (12, 24), "boxing day": (12, 26), "new year": (1, 1),
            "new years": (1, 1), "new year 's": (1, 1), "new year 's day": (1, 1),
            "new years day": (1, 1), "new year 's eve": (12, 31), "new years eve": (12, 31)}
RELATIONS = {"before": "before", "by": "by", "until": "by", "till": "by", "til": "by",
             "no later than": "by", "not later than": "by", "in time for": "before",
             "ahead of": "before", "prior to": "before", "after": "after",
             "not before": "from", "from": "from", "starting": "from", "any time after": "after"}
PAST_MARKERS = {"since", "last", "past", "ago", "yesterday", "earlier"}
NEAR_MONTH = {"in", "by", "before", "after", "until", "till", "of", "from", "during", "early",
              "late", "mid", "end", "start", "beginning", "next", "this", "for", "around"}


@dataclass(frozen=True)
class _When:
    kind: str  # "day", "interval", "asap" or "flexible"
    first: date | None = None
    last: date | None = None
    relation: str | None = None  # a relation the words carry themselves ("within" is "by")


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
        self.resolvers: dict[str, Callable[[Span, date], _When | None]] = {
            "ASAP": lambda span, day: _When("asap", day, day),
            "FLEXIBLE": lambda span, day: _When("flexible"),
            "DAY": self._day, "WEEKDAY": self._weekday, "PERIOD": self._period,
            "EDGE": self._edge, "DURATION": self._duration, "DATE": self._date,
            "NUMERIC": self._numeric, "ORDINAL": self._ordinal, "HOLIDAY": self._holiday,
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

    def _describe(self, doc: Doc, start: int, end: int, when: _When, day: date) -> Found:
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

    # Each resolver turns the matched words into a day or an interval.

    @staticmethod
    def _day(span: Span, day: date) -> _When:
        offset = 2 if len(span) == 3 else DAY_WORDS[span[0].lower_]
        target = day + timedelta(days=offset)
        return _When("day", target, target)

    @staticmethod
    def _weekday(span: Span, day: date) -> _When:
        weekday = dates.WEEKDAYS[span[-1].lower_]
        modifier = span[0].lower_ if len(span) == 2 else ""
        if modifier == "next":
            target = dates.weekday_next_week(day, weekday)
        else:
            target = dates.next_weekday(day, weekday, include_today=modifier == "this")
        return _When("day", target, target)

    @staticmethod
    def _period(span: Span, day: date) -> _When | None:
        modifier, unit = span[0].lower_, span[1].lower_
        if modifier == "the" and unit != "weekend":
            return None
        # "the coming weekend" is this weekend; "the coming week" is next week.
        ahead = modifier == "next" or (modifier == "coming" and unit != "weekend")
        if unit in ("week", "weekend"):
            monday = dates.week_start(day) + timedelta(days=7 if ahead else 0)
            first, last = (monday + timedelta(days=5), monday + timedelta(days=6)) if (
                unit == "weekend") else (monday, monday + timedelta(days=6))
        elif unit == "month":
            first = dates.add_months(day.replace(day=1), 1 if ahead else 0)
            last = dates.month_end(first.year, first.month)
        else:
            first = date(day.year + (1 if ahead else 0), 1, 1)
            last = date(first.year, 12, 31)
        return _When("interval", max(first, day), last)

    def _edge(self, span: Span, day: date) -> _When | None:
        words = [token.lower_ for token in span if token.lower_ != "the"]
        edge, unit = words[0], words[-1]
        ahead = "next" in words
        if unit == "week":
            first = dates.week_start(day) + timedelta(days=7 if ahead else 0)
            last = first + timedelta(days=6)
        elif unit == "month":
            first = dates.add_months(day.replace(day=1), 1 if ahead else 0)
            last = dates.month_end(first.year, first.month)
        elif unit == "year":
            first, last = date(day.year + (1 if ahead else 0), 1, 1), date(day.year + ahead, 12, 31)
        else:
            first, last = dates.month_interval(day, dates.MONTHS[unit])
        target = {"end": last, "middle": first + (last - first) / 2}.get(edge, first)
        if target < day and edge != "end":
            return self._edge_next(edge, unit, day)
        return _When("day", target, target)

    def _edge_next(self, edge: str, unit: str, day: date) -> _When:
        """"the start of the month" said mid-month means next month's start."""
        if unit == "week":
            first = dates.week_start(day) + timedelta(days=7)
        elif unit == "year":
            first = date(day.year + 1, 1, 1)
        else:
            first = dates.add_months(day.replace(day=1), 1)
        target = first + timedelta(days=14) if edge == "middle" and unit == "month" else first
        return _When("day", target, target)

    @staticmethod
    def _duration(span: Span, day: date) -> _When | None:
        words = [token.lower_ for token in span]
        unit = next(word for word in reversed(words) if word in {*dates.UNIT_DAYS, *dates.UNIT_MONTHS})
        count = 1
        for index, word in enumerate(words):
            parsed = number_at(span.doc, span.start + index)
            if parsed is not None:
                count = int(parsed[0])
                break
            if word in COUNT_WORDS and word not in ("a", "an", "one"):
                count = COUNT_WORDS[word]
        if not 0 < count <= 366:
            return None
        target = dates.after(day, days=count * dates.UNIT_DAYS.get(unit, 0),
                             months=count * dates.UNIT_MONTHS.get(unit, 0))
        is_window = words[0] in ("within", "inside", "over") or "next" in words or "coming" in words
        return _When("day", target, target, relation="by" if is_window else None)

    @staticmethod
    def _date(span: Span, day: date) -> _When | None:
        month_word = next(token for token in span if token.lower_ in dates.MONTHS)
        year = next((int(token.text) for token in span if len(token.text) == 4
                     and token.text.isdigit()), None)
        day_number = None
        for token in span:
            text = token.lower_.rstrip("stndrh") if token.lower_[:1].isdigit() else token.lower_
            if text.isdigit() and len(text) <= 2:
                day_number = int(text)
            elif text in dates.ORDINAL_WORDS:
                day_number = dates.ORDINAL_WORDS[text]
        month = dates.MONTHS[month_word.lower_]
        if day_number is None:
            previous = span.doc[span.start - 1].lower_ if span.start > 0 else ""
            if month_word.lower_ in dates.AMBIGUOUS_MONTHS and previous not in NEAR_MONTH:
                return None
            if month_word.lower_ == "may" and month_word.text != "May":
                return None
            first, last = dates.month_interval(day, month, year)
            return _When("interval", max(first, day), last)
        target = dates.day_of_month(day, month, day_number, year)
        return _When("day", target, target) if target else None

    @staticmethod
    def _numeric(span: Span, day: date) -> _When | None:
        parts = [int(piece) for piece in span.text.replace("/", " ").replace(".", " ")
                 .replace("-", " ").split()]
        if len(parts) == 3 and parts[0] > 31:
            year, month, day_number = parts
        else:
            day_number, month = parts[0], parts[1]
            if month > 12 and day_number <= 12:  # 12/25 written the American way
                day_number, month = month, day_number
            year = parts[2] if len(parts) == 3 else None
            if year is not None and year < 100:
                year += 2000
        if not 1 <= month <= 12:
            return None
        target = dates.day_of_month(day, month, day_number, year)
        return _When("day", target, target) if target else None

    @staticmethod
    def _ordinal(span: Span, day: date) -> _When | None:
        word = span[-1].lower_
        number = dates.ORDINAL_WORDS.get(word) or int(word.rstrip("stndrh"))
        target = dates.ordinal_day(day, number) if 1 <= number <= 31 else None
        return _When("day", target, target) if target else None

    @staticmethod
    def _holiday(span: Span, day: date) -> _When | None:
        month, day_number = HOLIDAYS[" ".join(token.lower_ for token in span)]
        target = dates.day_of_month(day, month, day_number)
        return _When("day", target, target) if target else None
