"""Finds amounts of money: "£35", "under 40 a month", "40 quid", "30 euros per month".

Value format: "<amount> <ISO currency>[/<period>]", for example "40 GBP/month",
"35 GBP", "30 EUR/month", and "30-40 GBP/month" for a range. The amount has no thousands
separator and two decimals only when it has pence. Amounts without a currency are taken
as the default currency: the deployment's RAPPORT_CURRENCY (`deployment_currency()`, GBP
unless set). additional_info carries the parsed parts:
{"amount": 40.0, "currency": "GBP", "period": "month" | "year" | "week" | "day" | None,
 "bound": "max" | "min" | "about" | "range" | None, "min": float | None, "max": float | None}.

A bare number counts as money only next to a currency, a price period ("a month") or a
budget word ("budget", "spend", "pay"); "500 meg", "3 days" or the 900 of "fibre 900 a
month" are not money. The notes customers name are money anywhere: "a tenner" is 10 and
"two fivers" 10, in the default currency like any amount that names no currency.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from nlu.numbers import format_amount, number_at
from nlu.text import MAX_MATCHES, Found, without_overlaps

# The gateway's setting (bot/settings.py), which the supervisor puts in the engine's
# environment: the engine runs on its own Python and does not import the gateway's code.
CURRENCY_VARIABLE = "RAPPORT_CURRENCY"
DEFAULT_CURRENCY = "GBP"

SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD"}
CURRENCY_WORDS = {
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP",
    "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
}
# Banknotes by their nicknames: "a tenner", "a fiver", "two tenners".
NOTE_WORDS = {"tenner": 10.0, "tenners": 10.0, "fiver": 5.0, "fivers": 5.0}
PERIOD_NOUNS = {
    "month": "month", "months": "month", "mo": "month", "mth": "month", "week": "week",
    "year": "year", "yr": "year", "annum": "year", "day": "day",
}
# A bare number right after these is part of a product name, not an amount.
PRODUCT_WORDS_BEFORE = frozenset({"fibre", "fiber", "iphone", "galaxy", "s", "pixel"})
PERIOD_WORDS = {"monthly": "month", "pcm": "month", "weekly": "week", "yearly": "year",
                "annually": "year", "pa": "year", "pw": "week", "p/m": "month"}
# "pm" is also a time of day ("by 4pm"), so it only means per month after a currency.
PERIOD_AFTER_CURRENCY = {"pm": "month"}
BOUNDS = {
    "under": "max", "below": "max", "less than": "max", "no more than": "max",
    "not more than": "max", "up to": "max", "max": "max", "maximum": "max",
    "max of": "max", "at most": "max", "cheaper than": "max", "lower than": "max",
    "within": "max", "no higher than": "max", "tops": "max",
    "over": "min", "above": "min", "more than": "min", "at least": "min", "minimum": "min",
    "around": "about", "about": "about", "roughly": "about", "approximately": "about",
    "approx": "about", "circa": "about", "~": "about", "something like": "about",
    "round about": "about", "from": "min", "starting from": "min",
}
PER = ("a", "an", "per", "each", "every", "/")
BUDGET_CUES = {"budget", "spend", "spending", "pay", "paying", "afford", "price", "cost"}
NOT_MONEY_AFTER = {
    "gb", "mb", "meg", "megs", "gig", "gigs", "mbps", "%", "percent", "day", "days", "week",
    "weeks", "month", "months", "year", "years", "hour", "hours", "minute", "minutes", "times",
    "people", "phones", "sims", "devices", "rooms", "am", "pm", "o'clock", "st", "nd", "th",
}


def deployment_currency(environ: dict[str, str] | None = None) -> str:
    """The ISO 4217 code that bare amounts are in: RAPPORT_CURRENCY, GBP by default."""
    value = (os.environ if environ is None else environ).get(CURRENCY_VARIABLE, "").strip()
    if not value:
        return DEFAULT_CURRENCY
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        raise ValueError(f"{CURRENCY_VARIABLE} must be a three-letter ISO 4217 code such as GBP")
    return value.upper()


@dataclass
class _Amount:
    start: int  # token indexes, end exclusive
    end: int
    value: float
    currency: str | None


class MoneyFinder:
    """Money mentions in a tokenized message."""

    def __init__(self, nlp: Language, default_currency: str = "GBP") -> None:
        self.default_currency = default_currency
        self.matcher = Matcher(nlp.vocab)
        number = {"LIKE_NUM": True}
        symbol = {"IS_CURRENCY": True}
        word = {"LOWER": {"IN": sorted(CURRENCY_WORDS)}}
        period = {"LOWER": {"IN": sorted({*PERIOD_WORDS, *PERIOD_AFTER_CURRENCY})}}
        per = {"LOWER": {"IN": list(PER)}}
        noun = {"LOWER": {"IN": sorted(PERIOD_NOUNS)}}
        self.matcher.add("SYMBOL_FIRST", [[symbol, number]])
        self.matcher.add("SYMBOL_AFTER", [[number, symbol]])
        self.matcher.add("WORD_AFTER", [[number, word]])
        self.matcher.add("PERIOD_AFTER", [[number, per, noun], [number, period]])
        self.matcher.add("BARE", [[number]])
        self.matcher.add("NOTE", [[{"LOWER": {"IN": sorted(NOTE_WORDS)}}]])

    def find(self, doc: Doc) -> list[Found]:
        cores: dict[int, _Amount] = {}
        for match_id, start, end in self.matcher(doc)[:MAX_MATCHES]:
            amount = self._core(doc, doc.vocab.strings[match_id], start, end)
            if amount and (amount.start not in cores or cores[amount.start].end < amount.end):
                cores[amount.start] = amount
        found = [self._describe(doc, amount) for amount in cores.values()]
        # A range swallows its lower amount ("between £30 and £40"): the longer span wins.
        return without_overlaps(found)

    def _core(self, doc: Doc, label: str, start: int, end: int) -> _Amount | None:
        if label == "NOTE":
            return self._note(doc, start)
        number_index = start + 1 if label == "SYMBOL_FIRST" else start
        # Take in the tens of "thirty five" / "thirty-five" when the match began on "five".
        for earlier_index in (number_index - 1, number_index - 2):
            earlier = number_at(doc, earlier_index) if earlier_index >= 0 else None
            if earlier and earlier[1] > number_index:
                number_index = earlier_index
                break
        parsed = number_at(doc, number_index)
        if parsed is None:
            return None
        value, number_end = parsed
        following = doc[number_end].lower_ if number_end < len(doc) else ""
        if label == "SYMBOL_FIRST":
            symbol = SYMBOLS.get(doc[start].text)
            return _Amount(start, number_end, value, symbol) if symbol else None
        if label == "SYMBOL_AFTER":
            symbol = SYMBOLS.get(following)
            return _Amount(number_index, number_end + 1, value, symbol) if symbol else None
        if label == "WORD_AFTER":
            currency = CURRENCY_WORDS.get(following)
            return _Amount(number_index, number_end + 1, value, currency) if currency else None
        # "how much is fibre 900 a month", "iphone 16 a month": a product's number.
        if number_index > 0 and doc[number_index - 1].lower_ in PRODUCT_WORDS_BEFORE:
            return None
        if label == "PERIOD_AFTER":
            period, _ = self._period(doc, number_end, has_currency=False)
            return _Amount(number_index, number_end, value, None) if period else None
        # A bare number is money only after a budget word and not before a unit.
        if following in NOT_MONEY_AFTER:
            return None
        window = doc[max(0, number_index - 4):number_index]
        if any(token.lower_ in BUDGET_CUES for token in window):
            return _Amount(number_index, number_end, value, None)
        return None

    @staticmethod
    def _note(doc: Doc, index: int) -> _Amount:
        """ "a tenner" (10), "tenner", "two fivers" (10): the note at `index`, with its count."""
        value, start = NOTE_WORDS[doc[index].lower_], index
        if index > 0 and doc[index - 1].lower_ in ("a", "an", "one"):
            start = index - 1
        else:
            for earlier in (index - 1, index - 2):
                parsed = number_at(doc, earlier) if earlier >= 0 else None
                if parsed and parsed[1] == index:
                    value, start = value * parsed[0], earlier
                    break
        return _Amount(start, index + 1, value, None)

    def _period(self, doc: Doc, index: int, has_currency: bool) -> tuple[str | None, int]:
        """The price period starting at token `index`, and the index just past it."""
        if index >= len(doc):
            return None, index
        token = doc[index].lower_
        if token in PERIOD_WORDS:
            return PERIOD_WORDS[token], index + 1
        if has_currency and token in PERIOD_AFTER_CURRENCY:
            return PERIOD_AFTER_CURRENCY[token], index + 1
        if token in PER and index + 1 < len(doc):
            noun = doc[index + 1].lower_
            if noun in PERIOD_NOUNS:
                return PERIOD_NOUNS[noun], index + 2
        return None, index

    def _bound_before(self, doc: Doc, index: int) -> tuple[str | None, int]:
        """The bound phrase ending just before token `index` ("no more than") and its start."""
        for size in (3, 2, 1):
            if index - size < 0:
                continue
            phrase = doc[index - size:index].text.lower()
            if phrase in BOUNDS:
                return BOUNDS[phrase], index - size
        return None, index

    def _range_start(self, doc: Doc, high: _Amount) -> tuple[float, int, str | None] | None:
        """The lower end of "between 30 and £40", "30-40 quid", "£30 to £40", if `high` has one."""
        joiner = high.start - 1
        if joiner < 1 or doc[joiner].lower_ not in ("-", "to", "and", "or"):
            return None
        for number_start in (joiner - 1, joiner - 2, joiner - 3):
            parsed = number_at(doc, number_start) if number_start >= 0 else None
            if parsed and parsed[1] == joiner:
                break
        else:
            return None
        start, currency = number_start, None
        if start > 0 and doc[start - 1].text in SYMBOLS:
            start, currency = start - 1, SYMBOLS[doc[start - 1].text]
        if doc[joiner].lower_ == "and" and (start == 0 or doc[start - 1].lower_ != "between"):
            return None
        return parsed[0], start, currency

    def _describe(self, doc: Doc, amount: _Amount) -> Found:
        currency, end = amount.currency, amount.end
        # A trailing currency word after a symbol amount: "£40 quid" is still 40 GBP.
        if end < len(doc) and doc[end].lower_ in CURRENCY_WORDS:
            currency, end = currency or CURRENCY_WORDS[doc[end].lower_], end + 1
        period, end = self._period(doc, end, has_currency=currency is not None)
        low = self._range_start(doc, amount)
        start = amount.start
        if low is not None:
            low_value, start, low_currency = low
            currency = currency or low_currency
            if start > 0 and doc[start - 1].lower_ in ("between", "from"):
                start -= 1
            bound, lowest, highest = "range", low_value, amount.value
            text = f"{format_amount(low_value)}-{format_amount(amount.value)}"
        else:
            bound, start = self._bound_before(doc, start)
            lowest = amount.value if bound == "min" else None
            highest = amount.value if bound == "max" else None
            text = format_amount(amount.value)
        currency = currency or self.default_currency
        text += f" {currency}" + (f"/{period}" if period else "")
        span = doc[start:end]
        info = {"amount": amount.value, "currency": currency, "period": period, "bound": bound,
                "min": lowest, "max": highest}
        return Found("money", span.start_char, span.end_char, text, info)
