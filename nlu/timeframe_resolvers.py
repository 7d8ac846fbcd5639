"""What a timeframe's matched words mean: each resolver turns a match into a day or an interval.

`nlu.timeframe` finds the words and writes the value; the functions here, one a match kind,
resolve them against the day given (the parse's `today()`). None: the words name no date
(an ambiguous month word alone, "the 31st" of a short month...).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from spacy.tokens import Span

from nlu import dates
from nlu.numbers import COUNT_WORDS, number_at

DAY_WORDS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "tomorow": 1,
             "tommorow": 1, "tommorrow": 1}
HOLIDAYS = {"christmas": (12, 25), "xmas": (12, 25), "christmas day": (12, 25),
            "christmas eve": (12, 24), "boxing day": (12, 26), "new year": (1, 1),
            "new years": (1, 1), "new year 's": (1, 1), "new year 's day": (1, 1),
            "new years day": (1, 1), "new year 's eve": (12, 31), "new years eve": (12, 31)}
NEAR_MONTH = {"in", "by", "before", "after", "until", "till", "of", "from", "during", "early",
              "late", "mid", "end", "start", "beginning", "next", "this", "for", "around"}


@dataclass(frozen=True)
class When:
    kind: str  # "day", "interval", "asap" or "flexible"
    first: date | None = None
    last: date | None = None
    relation: str | None = None  # a relation the words carry themselves ("within" is "by")


def day_word(span: Span, day: date) -> When:
    offset = 2 if len(span) == 3 else DAY_WORDS[span[0].lower_]
    target = day + timedelta(days=offset)
    return When("day", target, target)


def weekday(span: Span, day: date) -> When:
    weekday = dates.WEEKDAYS[span[-1].lower_]
    modifier = span[0].lower_ if len(span) == 2 else ""
    if modifier == "next":
        target = dates.weekday_next_week(day, weekday)
    else:
        target = dates.next_weekday(day, weekday, include_today=modifier == "this")
    return When("day", target, target)


def period(span: Span, day: date) -> When | None:
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
    return When("interval", max(first, day), last)


def edge(span: Span, day: date) -> When | None:
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
        return edge_next(edge, unit, day)
    return When("day", target, target)


def edge_next(edge: str, unit: str, day: date) -> When:
    """"the start of the month" said mid-month means next month's start."""
    if unit == "week":
        first = dates.week_start(day) + timedelta(days=7)
    elif unit == "year":
        first = date(day.year + 1, 1, 1)
    else:
        first = dates.add_months(day.replace(day=1), 1)
    target = first + timedelta(days=14) if edge == "middle" and unit == "month" else first
    return When("day", target, target)


def duration(span: Span, day: date) -> When | None:
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
    return When("day", target, target, relation="by" if is_window else None)


def calendar_date(span: Span, day: date) -> When | None:
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
        return When("interval", max(first, day), last)
    target = dates.day_of_month(day, month, day_number, year)
    return When("day", target, target) if target else None


def numeric_date(span: Span, day: date) -> When | None:
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
    return When("day", target, target) if target else None


def ordinal(span: Span, day: date) -> When | None:
    word = span[-1].lower_
    number = dates.ORDINAL_WORDS.get(word) or int(word.rstrip("stndrh"))
    target = dates.ordinal_day(day, number) if 1 <= number <= 31 else None
    return When("day", target, target) if target else None


def holiday(span: Span, day: date) -> When | None:
    month, day_number = HOLIDAYS[" ".join(token.lower_ for token in span)]
    target = dates.day_of_month(day, month, day_number)
    return When("day", target, target) if target else None
