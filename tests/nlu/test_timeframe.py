"""Timeframes resolve against the clock at parse time (pinned here to Wednesday 2026-11-18)."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.timeframe import TimeframeFinder

TODAY = date(2026, 11, 18)


@pytest.fixture(scope="module")
def when(nlp):
    finder = TimeframeFinder(nlp)

    def find(text: str, today: date = TODAY):
        return [(text[f.start:f.end], f.value) for f in finder.find(nlp.make_doc(text), today)]

    return find


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("I need a faster plan for working from home, under 40 a month, before September",
         "before September", "before:2027-09-01"),
        ("can it be done by next Friday?", "by next Friday", "by:2026-11-27"),
        ("within 2 weeks", "within 2 weeks", "by:2026-12-02"),
        ("asap please", "asap", "asap"),
        ("as soon as possible", "as soon as possible", "asap"),
        ("tomorrow if you can", "tomorrow", "2026-11-19"),
        ("some time next week", "next week", "2026-11-23/2026-11-29"),
        ("this weekend", "this weekend", "2026-11-21/2026-11-22"),
        ("by the end of the month", "by the end of the month", "by:2026-11-30"),
        ("before Christmas", "before Christmas", "before:2026-12-25"),
        ("in 3 days", "in 3 days", "2026-11-21"),
        ("in January", "January", "2027-01-01/2027-01-31"),
        ("after the 5th of December", "after the 5th of December", "after:2026-12-05"),
        ("on 3 December", "3 December", "2026-12-03"),
        ("15/12", "15/12", "2026-12-15"),
        ("2027-02-01", "2027-02-01", "2027-02-01"),
        ("the 15th", "the 15th", "2026-12-15"),
        ("from next week", "from next week", "after:2026-11-22"),
        ("no rush", "no rush", "flexible"),
    ],
)
def test_timeframes_are_resolved(when, text, span, value):
    assert when(text) == [(span, value)]


def test_the_same_words_mean_a_later_date_on_a_later_day(when):
    assert when("before September", date(2027, 10, 1)) == [("before September",
                                                             "before:2028-09-01")]
    assert when("tomorrow", date(2026, 12, 31)) == [("tomorrow", "2027-01-01")]


@pytest.mark.parametrize(
    "text",
    ["my broadband has been down since Monday", "it broke last Friday", "3 weeks ago",
     "may I ask something", "I'm Jan", "fibre 500 please"],
)
def test_past_and_non_dates_are_ignored(when, text):
    assert when(text) == []
