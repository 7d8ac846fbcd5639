"""Entity values are checked before any action uses them (actions/entities.py): a value that is
not of its type's shape or vocabulary is dropped, whether an extractor or a payload sent it."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.complaint_reading import reference_of, severity_of
from actions.facts import ActionStartFactChange
from actions.turn import Message

GOOD = [
    ("email", "ann@example.com"), ("phone", "+44 7700 900123"), ("first_name", "Jean-Luc"),
    ("fact_key", "city"), ("severity", "high"), ("complaint_category", "billing"),
    ("category", "broadband"), ("product", "fibre-500"), ("money", "40 GBP/month"),
    ("money", "20-35.50 EUR"), ("timeframe", "asap"), ("timeframe", "before:2027-09-01"),
    ("timeframe", "2027-09-01/2027-09-30"), ("order_ref", "NW-123456"),
]
BAD = [
    ("email", "not-an-address"), ("phone", "call me maybe"), ("first_name", "<b>Ann</b>"),
    ("fact_key", "value_tier"), ("severity", "critical"), ("complaint_category", "refund_now"),
    ("category", "cars"), ("product", "free-iphone"), ("money", "1e9 GBP"),
    ("timeframe", "yesterday'; drop table"), ("order_ref", "A" * 300),
    ("value_tier", "top"),  # a type the domain does not declare
]


def message(conversation_tracker, entity: str, value: str) -> Message:
    return Message.of(conversation_tracker(
        f'/inform{{"{entity}": "{value}"}}', intent="inform",
        entities=[{"entity": entity, "value": value}],
    ))


@pytest.mark.parametrize(("entity", "value"), GOOD)
async def test_entities_of_the_right_shape_reach_the_actions(conversation, entity, value):
    chat = await conversation()
    assert message(chat.tracker, entity, value).value(entity) == value


@pytest.mark.parametrize(("entity", "value"), BAD)
async def test_entities_that_fail_their_check_are_dropped(conversation, entity, value):
    chat = await conversation()
    assert message(chat.tracker, entity, value).entities == ()


async def test_a_made_up_severity_or_reference_is_not_taken(conversation):
    chat = await conversation()
    assert severity_of(message(chat.tracker, "severity", "critical")) is None
    assert reference_of(message(chat.tracker, "order_ref", "A" * 300), asked=False) is None


async def test_a_change_cannot_be_started_for_a_fact_the_system_keeps(
    conversation, dispatcher, domain
):
    chat = await conversation()
    tracker = chat.tracker("change my value tier", entities=[
        {"entity": "fact_key", "value": "value_tier", "additional_info": {"new_value": "top"}}])
    events = await ActionStartFactChange().run(dispatcher, tracker, domain)
    assert SlotSet("fact_key", "value_tier") not in events
    assert (await chat.store.profile(chat.customer_id)).get("value_tier") is None
