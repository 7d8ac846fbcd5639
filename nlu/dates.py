"""Calendar arithmetic and date words for the timeframe finder; pure functions of `today`."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sunday": 6,
}
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
# Month words that are also everyday words or names; they only count next to a date word.
AMBIGUOUS_MONTHS = {"may", "mar", "jan", "jun", "dec"}
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7,
             "fortnight": 14, "fortnights": 14}
UNIT_MONTHS = {"month": 1, "months": 1, "year": 12, "years": 12}


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def next_weekday(today: date, weekday: int, *, include_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + timedelta(days=ahead)


def weekday_next_week(today: date, weekday: int) -> date:
    """"next Friday": the Friday of next calendar week (Monday to Sunday)."""
    return week_start(today) + timedelta(days=7 + weekday)


def month_interval(today: date, month: int, year: int | None = None) -> tuple[date, date]:
    """A named month: this year's if it has not ended yet, else next year's."""
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    return date(year, month, 1), month_end(year, month)


def day_of_month(today: date, month: int, day: int, year: int | None = None) -> date | None:
    """A day and month without a year: the next one on or after today."""
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def ordinal_day(today: date, day: int) -> date | None:
    """"the 15th": this month's if still ahead, else next month's."""
    for offset in (0, 1, 2):
        first = add_months(today.replace(day=1), offset)
        try:
            candidate = first.replace(day=day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def after(today: date, *, days: int = 0, months: int = 0) -> date:
    return add_months(today, months) + timedelta(days=days)
