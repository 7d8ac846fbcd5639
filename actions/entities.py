"""Entity values checked once, before any action reads them: an entity whose value is not of
the shape or vocabulary its type allows is dropped, whether an extractor found it or a
button payload (`/intent{"entity": "value"}`) carried it.

Contacts and names go through the same checks as typed facts (context.clean_fact_value);
categories, products and severities must be known; money, timeframes and references must be
in the format the nlu/ extractors write.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from actions import context
from actions.catalogue import catalogue

_AMOUNT = r"\d{1,9}(?:\.\d{2})?"
_MONEY = re.compile(rf"{_AMOUNT}(?:-{_AMOUNT})? [A-Z]{{3}}(?:/(?:day|week|month|year))?")
_DAY = r"\d{4}-\d{2}-\d{2}"
_TIMEFRAME = re.compile(rf"asap|flexible|(?:before:|by:|after:)?{_DAY}|{_DAY}/{_DAY}")
_ORDER_REF = re.compile(r"#?[A-Za-z]{0,4}-?\d{3,12}(?:-\d{1,6})?")

_CHECKS: dict[str, Callable[[str], bool]] = {
    "email": lambda value: context.clean_fact_value("email", value) is not None,
    "phone": lambda value: context.clean_fact_value("phone", value) is not None,
    "first_name": lambda value: context.clean_fact_value("first_name", value) is not None,
    "fact_key": lambda value: value in context.FACT_LABELS,
    "severity": lambda value: value in catalogue.severities(),
    "complaint_category": lambda value: value in catalogue.complaint_categories(),
    "category": lambda value: value in catalogue.categories(),
    "product": lambda value: catalogue.product(value) is not None,
    "money": lambda value: _MONEY.fullmatch(value) is not None,
    "timeframe": lambda value: _TIMEFRAME.fullmatch(value) is not None,
    "order_ref": lambda value: _ORDER_REF.fullmatch(value) is not None,
}


def valid_entity(entity_type: str, value: str) -> bool:
    """True when `value` is fit for an entity of `entity_type`; unknown types never are."""
    check = _CHECKS.get(entity_type)
    return check is not None and len(value) <= 254 and check(value)
