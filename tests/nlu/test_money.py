"""Money: what customers say about budgets becomes "<amount> <currency>[/<period>]"."""

from __future__ import annotations

import pytest

from nlu.money import MoneyFinder


@pytest.fixture(scope="module")
def money(nlp):
    finder = MoneyFinder(nlp)
    return lambda text: [(text[f.start:f.end], f.value, f.additional_info) for f in
                         finder.find(nlp.make_doc(text))]


@pytest.mark.parametrize(
    ("text", "span", "value", "bound"),
    [
        ("I need a faster plan for working from home, under 40 a month, before September",
         "under 40 a month", "40 GBP/month", "max"),
        ("my budget is £35", "£35", "35 GBP", None),
        ("I can do 40 quid", "40 quid", "40 GBP", None),
        ("about 30 euros per month", "about 30 euros per month", "30 EUR/month", "about"),
        ("no more than £25.50 a month please", "no more than £25.50 a month",
         "25.50 GBP/month", "max"),
        ("forty quid a month", "forty quid a month", "40 GBP/month", None),
        ("thirty-five pounds", "thirty-five pounds", "35 GBP", None),
        ("somewhere between £30 and £40", "between £30 and £40", "30-40 GBP", "range"),
        ("30-40 quid a month", "30-40 quid a month", "30-40 GBP/month", "range"),
        ("$50 max", "$50", "50 USD", None),
        ("at least £1,200 a year", "at least £1,200 a year", "1200 GBP/year", "min"),
        ("£40pm", "£40pm", "40 GBP/month", None),
        ("I could pay 25", "25", "25 GBP", None),
        ("a tenner a month tops", "a tenner a month", "10 GBP/month", None),
        ("no more than a fiver pls", "no more than a fiver", "5 GBP", "max"),
        ("under a tenner", "under a tenner", "10 GBP", "max"),
        ("sixty a month", "sixty a month", "60 GBP/month", None),
        ("twenty quid", "twenty quid", "20 GBP", None),
        ("i could stretch to two tenners", "two tenners", "20 GBP", None),
    ],
)
def test_amounts_are_normalised(money, text, span, value, bound):
    [(found_span, found_value, info)] = money(text)
    assert (found_span, found_value, info["bound"]) == (span, value, bound)


def test_a_note_without_a_currency_is_in_the_default_currency(nlp):
    finder = MoneyFinder(nlp, default_currency="EUR")
    [found] = finder.find(nlp.make_doc("a fiver a week"))
    assert (found.value, found.additional_info["amount"]) == ("5 EUR/week", 5.0)


def test_a_budget_ceiling_carries_its_maximum(money):
    [(_, _, info)] = money("under 40 a month")
    assert info == {"amount": 40.0, "currency": "GBP", "period": "month", "bound": "max",
                    "min": None, "max": 40.0}


@pytest.mark.parametrize(
    "text",
    ["I want fibre 500", "500 meg broadband", "in 3 days", "call me by 4pm",
     "0151 496 0000", "order 12345", "I have 2 kids", "20gb of data", "it's 2026"],
)
def test_numbers_that_are_not_money_are_ignored(money, text):
    assert money(text) == []
