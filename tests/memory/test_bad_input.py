"""Bad input gets typed errors; hostile but valid text round-trips byte for byte."""
from __future__ import annotations

import pytest

from memory import ProfileStore, Source, errors

WEB = Source("web")

HOSTILE = [
    "Robert'); DROP TABLE customers;--",
    "%' OR '1'='1",
    '<script>alert("x")</script>&amp;',
    "emoji 👩🏽‍💻 and RTL \u202eevil",
    "back\\slash \"quotes\" `ticks` $1 ?",
    "line\nbreak\ttab\r\n",
    "  leading and trailing spaces  ",
    "\u00e9 vs e\u0301",  # composed and decomposed forms must not be normalised
]


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_strings_round_trip_exactly(store: ProfileStore, value: str):
    customer = await store.identify("web", value)  # as an external id, too
    await store.remember(customer, "company", value, source=Source("web", value, value, value))
    fact = (await store.profile(customer)).facts["company"]
    assert fact.value.encode("utf-8") == value.encode("utf-8")
    assert fact.source == Source("web", value, value, value)
    await store.start_interaction(customer, "web", value)
    await store.record_message(value, sender="customer", text=value, message_id=value,
                               payload={value: [value]})
    message = (await store.transcript(value))[0]
    assert message.text.encode("utf-8") == value.encode("utf-8")
    assert message.payload == {value: [value]}
    assert await store.find_customer("web", value) == customer


async def test_unknown_fact_key(store: ProfileStore):
    customer = await store.identify("web", "k")
    with pytest.raises(errors.UnknownFactKey) as caught:
        await store.remember(customer, "shoe_size", "42", source=WEB)
    assert "shoe_size" in str(caught.value)
    with pytest.raises(errors.UnknownFactKey):
        await store.fact_history(customer, "shoe_size")


async def test_too_long_value_names_the_limit_not_the_value(store: ProfileStore):
    customer = await store.identify("web", "long")
    with pytest.raises(errors.ValueTooLong) as caught:
        await store.remember(customer, "first_name", "A" * 101, source=WEB)
    assert caught.value.max_length == 100 and "AAAA" not in str(caught.value)
    await store.remember(customer, "first_name", "A" * 100, source=WEB)  # the limit itself is fine
    with pytest.raises(errors.ValueTooLong):
        await store.start_interaction(customer, "web", "c" * 201)


@pytest.mark.parametrize(
    "bad",
    ["lone \ud800 surrogate", "\udfff", b"\xff\xfe not utf-8", b"\xc3\x28", "nul \x00 byte"],
)
async def test_invalid_text_is_refused_everywhere(store: ProfileStore, bad):
    customer = await store.identify("web", "bad-text")
    await store.start_interaction(customer, "web", "bad-text")
    attempts = [
        store.remember(customer, "city", bad, source=WEB),
        store.remember(customer, "city", "ok", source=Source(bad) if isinstance(bad, str) else
                       Source("web", conversation_id=bad)),
        store.identify("web", bad),
        store.record_message("bad-text", sender="customer", text=bad),
        store.record_message("bad-text", sender="customer", text="ok",
                             payload={"x": bad} if isinstance(bad, str) else None),
    ]
    for attempt in attempts[:-1]:
        with pytest.raises(errors.InvalidInput):
            await attempt
    if isinstance(bad, str):
        with pytest.raises(errors.InvalidText):
            await attempts[-1]
    else:
        attempts[-1].close()
    assert (await store.profile(customer)).facts == {}
    assert await store.transcript("bad-text") == [] or isinstance(bad, bytes)


async def test_valid_utf8_bytes_are_accepted_as_text(store: ProfileStore):
    customer = await store.identify("web", "bytes")
    fact = await store.remember(customer, "city", "Zürich".encode(), source=WEB)
    assert fact.value == "Zürich"


@pytest.mark.parametrize("confidence", [-0.1, 1.5, float("nan"), "high"])
async def test_confidence_must_be_between_zero_and_one(store: ProfileStore, confidence):
    customer = await store.identify("web", "conf")
    with pytest.raises(errors.InvalidValue):
        await store.remember(customer, "city", "Oslo", source=WEB, confidence=confidence)


async def test_empty_and_non_text_values_are_refused(store: ProfileStore):
    customer = await store.identify("web", "empty")
    for value in ("", "   ", 42, None):
        with pytest.raises(errors.InvalidInput):
            await store.remember(customer, "city", value, source=WEB)
    with pytest.raises(errors.InvalidValue):
        await store.remember(customer, "city", "Oslo", source={"channel": "web"})


async def test_errors_are_profile_store_errors(store: ProfileStore):
    with pytest.raises(errors.ProfileStoreError):
        await store.profile("missing")


@pytest.mark.parametrize("huge", ["1E+28", "99999999999999999999999999999.5", 10**40])
def test_an_amount_past_decimal_precision_is_refused_as_out_of_range(huge):
    """Found by fuzzing (tests/fuzz): quantize raised decimal.InvalidOperation, which no
    caller catches as a store error."""
    from memory.api import validation

    with pytest.raises(errors.InvalidValue, match="out of range"):
        validation.amount("budget", huge)
