"""Reading numbers written as digits ("1,200", "35.50") or words ("forty", "thirty-five")."""
from __future__ import annotations

import re

from spacy.tokens import Doc

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
# Words that stand for a small count in durations: "in a week", "a couple of days".
COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "couple": 2, "few": 3, "several": 3}

_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")


def digits_value(text: str) -> float | None:
    if not _DIGITS.match(text):
        return None
    return float(text.replace(",", ""))


def number_at(doc: Doc, index: int) -> tuple[float, int] | None:
    """The number starting at token `index` and the index just past it, if there is one.

    Handles "40", "1,200", "35.50", "forty", "thirty five", "thirty-five" and
    "a hundred" / "two hundred".
    """
    if index >= len(doc):
        return None
    token = doc[index].lower_
    value = digits_value(token)
    if value is not None:
        return value, index + 1
    end = index
    if token in ("a", "one") and index + 1 < len(doc) and doc[index + 1].lower_ == "hundred":
        return 100.0, index + 2
    if token in TENS:
        value, end = float(TENS[token]), index + 1
        if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in UNITS:
            value, end = value + UNITS[doc[end + 1].lower_], end + 2
        elif end < len(doc) and doc[end].lower_ in UNITS and UNITS[doc[end].lower_] < 10:
            value, end = value + UNITS[doc[end].lower_], end + 1
    elif token in UNITS:
        value, end = float(UNITS[token]), index + 1
    else:
        return None
    if end < len(doc) and doc[end].lower_ == "hundred":
        value, end = value * 100, end + 1
    return value, end


def format_amount(value: float) -> str:
    """40.0 -> "40", 35.5 -> "35.50"."""
    return str(int(value)) if value == int(value) else f"{value:.2f}"
