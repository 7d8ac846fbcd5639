"""Contract: interactions and transcripts."""
from __future__ import annotations

import dataclasses

import pytest

from memory import NewMessage, ProfileStore, errors


async def test_interaction_lifecycle(store: ProfileStore):
    customer = await store.identify("web", "talker")
    await store.start_interaction(customer, "web", "conv-1")
    await store.start_interaction(customer, "web", "conv-1")  # idempotent
    await store.start_interaction(customer, "web", "conv-2")
    assert await store.customer_for_conversation("conv-1") == customer
    assert await store.customer_for_conversation("nope") is None
    await store.end_interaction("conv-1", "asked about fibre plans")
    interactions = await store.interactions(customer)
    assert [i.conversation_id for i in interactions] == ["conv-2", "conv-1"]
    ended = interactions[1]
    assert ended.channel == "web" and ended.summary == "asked about fibre plans"
    assert ended.ended_at is not None and ended.ended_at >= ended.started_at
    assert interactions[0].ended_at is None


async def test_a_conversation_cannot_change_hands(store: ProfileStore):
    ann = await store.identify("web", "ann")
    bob = await store.identify("web", "bob")
    await store.start_interaction(ann, "web", "shared")
    with pytest.raises(errors.ConversationConflict):
        await store.start_interaction(bob, "web", "shared")
    assert await store.customer_for_conversation("shared") == ann


async def test_transcript_keeps_messages_in_order_and_dedupes_by_message_id(store: ProfileStore):
    customer = await store.identify("telegram", "42")
    await store.start_interaction(customer, "telegram", "tg-42")
    first = await store.record_message(
        "tg-42", sender="customer", text="hello", message_id="u1", payload={"lang": "en"}
    )
    retry = await store.record_message("tg-42", sender="customer", text="hello (retry)",
                                       message_id="u1")
    assert not first.duplicate
    assert retry.duplicate  # the caller can tell a retried delivery and not act on it twice
    assert dataclasses.replace(retry, duplicate=False) == first
    await store.record_message("tg-42", sender="bot", text="Hi! How can I help?")
    await store.record_message("tg-42", sender="agent", text="Agent here")
    transcript = await store.transcript("tg-42")
    assert [(m.sender, m.text) for m in transcript] == [
        ("customer", "hello"), ("bot", "Hi! How can I help?"), ("agent", "Agent here"),
    ]
    assert transcript[0].payload == {"lang": "en"}
    assert transcript[0].created_at.tzinfo is not None
    assert [m.text for m in await store.transcript("tg-42", limit=2)] == [
        "Hi! How can I help?", "Agent here",
    ]


async def test_a_turns_replies_are_recorded_together_in_order(store: ProfileStore):
    customer = await store.identify("web", "replies")
    await store.start_interaction(customer, "web", "r")
    await store.record_message("r", sender="customer", text="hi", message_id="m1")
    views = await store.record_messages("r", [
        NewMessage("bot", "Hello!"),
        NewMessage("bot", "Pick one", payload={"buttons": [{"title": "A", "payload": "/a"}]}),
        NewMessage("customer", "hi again", message_id="m1"),  # a resend: kept once
    ])
    assert [v.duplicate for v in views] == [False, False, True]
    assert views[0].id < views[1].id and views[2].text == "hi"
    transcript = await store.transcript("r")
    assert [(m.sender, m.text) for m in transcript] == [
        ("customer", "hi"), ("bot", "Hello!"), ("bot", "Pick one"),
    ]
    assert transcript[2].payload == {"buttons": [{"title": "A", "payload": "/a"}]}


async def test_recording_several_messages_is_all_or_nothing(store: ProfileStore):
    customer = await store.identify("web", "atomic")
    await store.start_interaction(customer, "web", "at")
    with pytest.raises(errors.InvalidValue):
        await store.record_messages("at", [NewMessage("bot", "fine"), NewMessage("robot", "bad sender")])
    assert await store.transcript("at") == []
    with pytest.raises(errors.UnknownConversation):
        await store.record_messages("ghost", [NewMessage("bot", "x")])


async def test_the_same_message_id_in_another_conversation_is_another_message(store):
    customer = await store.identify("web", "dup")
    await store.start_interaction(customer, "web", "a")
    await store.start_interaction(customer, "web", "b")
    one = await store.record_message("a", sender="customer", text="x", message_id="1")
    two = await store.record_message("b", sender="customer", text="y", message_id="1")
    assert one.id != two.id


async def test_payloads_returned_are_copies(store: ProfileStore):
    customer = await store.identify("web", "payload")
    await store.start_interaction(customer, "web", "p")
    message = await store.record_message("p", sender="bot", text="t", payload={"buttons": [1]})
    message.payload["buttons"].append(2)
    assert (await store.transcript("p"))[0].payload == {"buttons": [1]}


async def test_unknown_conversations_are_typed_errors(store: ProfileStore):
    with pytest.raises(errors.UnknownConversation):
        await store.record_message("ghost", sender="customer", text="hi")
    with pytest.raises(errors.UnknownConversation):
        await store.end_interaction("ghost", None)
    with pytest.raises(errors.UnknownConversation):
        await store.transcript("ghost")
    with pytest.raises(errors.UnknownCustomer):
        await store.start_interaction("ghost-customer", "web", "c")


async def test_invalid_sender_is_refused(store: ProfileStore):
    customer = await store.identify("web", "s")
    await store.start_interaction(customer, "web", "s")
    with pytest.raises(errors.InvalidValue):
        await store.record_message("s", sender="hacker", text="hi")
    assert await store.transcript("s") == []
