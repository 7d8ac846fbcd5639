"""Fuzzing the parsers that run in the gateway's environment (issue 14): for any input they
return a value of the promised kind or refuse with their own error, never anything else."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from bot.channels.telegram.chats import chat_of
from bot.channels.web.sessions import Session, SessionRefused, Sessions
from bot.conversations import InvalidMessage, clean_text
from bot.engine.client import Reply
from memory import errors
from memory.api import validation
from nlu import dates

FUZZ = settings(max_examples=300, deadline=None)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
anything = json_values | st.binary(max_size=30) | st.text(max_size=50)


@FUZZ
@given(today=days, month=st.integers(-5, 20), day=st.integers(-5, 40),
       year=st.none() | st.integers(1990, 2110))
def test_a_day_of_a_month_is_a_real_day_not_in_the_past_or_none(today, month, day, year):
    try:
        found = dates.day_of_month(today, month, day, year)
    except ValueError:  # pragma: no cover - the function promises None instead
        pytest.fail("day_of_month raised instead of returning None")
    if found is not None and year is None:
        assert found >= today and (found.month, found.day) == (month, day)


@FUZZ
@given(today=days, day=st.integers(-5, 40))
def test_an_ordinal_day_is_ahead_within_three_months_or_none(today, day):
    found = dates.ordinal_day(today, day)
    if found is not None:
        assert today <= found < today + timedelta(days=93) and found.day == day


@FUZZ
@given(today=days, month=st.integers(1, 12), months=st.integers(-120, 120))
def test_month_arithmetic_stays_on_the_calendar(today, month, months):
    start, end = dates.month_interval(today, month)
    assert start.day == 1 and start <= end and end.month == month and (end + timedelta(days=1)).day == 1
    moved = dates.add_months(today, months)
    assert (moved.year * 12 + moved.month) - (today.year * 12 + today.month) == months


@FUZZ
@given(today=days, weekday=st.integers(0, 6), include=st.booleans())
def test_the_next_weekday_is_that_weekday_within_a_week(today, weekday, include):
    found = dates.next_weekday(today, weekday, include_today=include)
    assert found.weekday() == weekday and timedelta(0) <= found - today <= timedelta(days=7)
    assert found != today or include


@FUZZ
@given(value=anything | st.decimals(allow_nan=True) | st.floats())
def test_an_amount_is_money_to_the_penny_or_a_clear_refusal(value):
    try:
        amount = validation.amount("budget", value)
    except errors.ProfileStoreError:
        return
    assert isinstance(amount, Decimal) and amount == amount.quantize(Decimal("0.01")) and amount >= 0


@FUZZ
@given(value=anything)
def test_a_payload_is_a_json_object_or_a_clear_refusal(value):
    try:
        checked = validation.payload(value)
    except errors.ProfileStoreError:
        return
    assert checked is None or isinstance(checked, dict)


@FUZZ
@given(value=anything)
def test_a_customer_message_is_clean_text_or_a_reason_to_show_them(value):
    try:
        text = clean_text(value, max_chars=100)
    except InvalidMessage as refusal:
        assert str(refusal)
        return
    assert text == text.strip() and 0 < len(text) <= 100 and "\x00" not in text
    validation.text("text", text, validation.MAX_MESSAGE_LENGTH)  # the store takes it


@FUZZ
@given(raw=st.dictionaries(st.sampled_from(["text", "buttons", "custom", "image"]), json_values))
def test_an_engine_reply_of_any_shape_reads_as_a_reply(raw):
    reply = Reply.from_json(raw)
    assert isinstance(reply.text, str)
    assert all(isinstance(b.title, str) and isinstance(b.payload, str) for b in reply.buttons)


@FUZZ
@given(token=anything)
def test_any_session_token_reads_as_a_session_or_a_401(token):
    sessions = Sessions("fuzz-key", "", 3600)
    try:
        assert isinstance(sessions.read(token), Session)
    except SessionRefused as refused:
        assert refused.status == 401


@FUZZ
@given(conversation_id=st.text(max_size=40) | st.from_regex(r"telegram\.-?\d{1,15}\.\d{1,10}", fullmatch=True))
def test_a_telegram_chat_is_read_from_its_own_conversation_ids_only(conversation_id):
    try:
        chat = chat_of(conversation_id)
    except ValueError:
        return
    assert isinstance(chat, int) and conversation_id.startswith("telegram.")
