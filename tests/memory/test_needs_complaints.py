"""Contract: needs, complaints with their lifecycle, and satisfaction readings."""
from __future__ import annotations

import pytest

from memory import ProfileStore, Satisfaction, Source, errors

CHAT = Source("web", conversation_id="conv-9", message_id="m-3")


async def test_needs_keep_the_customers_own_words(store: ProfileStore):
    customer = await store.identify("web", "needy")
    await store.add_need(customer, category="broadband", words="something faster", source=CHAT)
    need = await store.add_need(
        customer, category="phone", product="Pixel 9", budget="about €600",
        timeframe="before Christmas", words="I want a new phone, around 600 euros", source=CHAT,
    )
    assert need.customer_id == customer and need.source == CHAT
    needs = await store.needs(customer)
    assert [n.category for n in needs] == ["phone", "broadband"]
    assert needs[0] == need
    assert needs[0].words == "I want a new phone, around 600 euros"
    assert needs[1].product is None and needs[1].budget is None


async def test_complaint_lifecycle_with_owner_and_timestamped_transitions(store: ProfileStore):
    customer = await store.identify("telegram", "angry")
    complaint = await store.open_complaint(
        customer, category="billing", description="Charged twice for May", severity="high",
        order_ref="INV-2024-05", source=CHAT,
    )
    assert complaint.reference == "C-000001"
    assert complaint.status == "open" and complaint.is_open
    assert complaint.order_ref == "INV-2024-05" and complaint.severity == "high"
    assert complaint.transitions[0].to_status == "open"
    assert complaint.transitions[0].actor == "customer via web"

    await store.assign_complaint(complaint.reference, "agent:ana", actor="lead:bo")
    step = await store.transition_complaint("C-000001", "in_progress", actor="agent:ana")
    assert step.owner == "agent:ana"
    done = await store.transition_complaint("c-000001", "resolved", actor="agent:ana",
                                            note="refund issued")
    assert done.status == "resolved" and not done.is_open
    reopened = await store.transition_complaint(complaint.reference, "reopened",
                                                actor="customer")
    moves = [(t.from_status, t.to_status, t.actor) for t in reopened.transitions]
    assert moves == [
        (None, "open", "customer via web"),
        ("open", "in_progress", "agent:ana"),
        ("in_progress", "resolved", "agent:ana"),
        ("resolved", "reopened", "customer"),
    ]
    times = [t.at for t in reopened.transitions]
    assert times == sorted(times) and reopened.transitions[2].note == "refund issued"
    assert await store.complaint(complaint.reference) == reopened


@pytest.mark.parametrize(
    "path, forbidden",
    [([], "reopened"), (["resolved"], "in_progress"), (["in_progress"], "open"),
     (["resolved"], "resolved")],
)
async def test_illegal_transitions_are_refused(store: ProfileStore, path, forbidden):
    customer = await store.identify("web", "x")
    complaint = await store.open_complaint(customer, category="c", description="d", source=CHAT)
    for status in path:
        await store.transition_complaint(complaint.reference, status, actor="a")
    with pytest.raises(errors.InvalidTransition):
        await store.transition_complaint(complaint.reference, forbidden, actor="a")
    assert (await store.complaint(complaint.reference)).status == (path[-1] if path else "open")


async def test_repeat_complaints_link_to_the_earlier_one(store: ProfileStore):
    customer = await store.identify("web", "repeat")
    other = await store.identify("web", "other")
    first = await store.open_complaint(customer, category="delivery", description="late",
                                       source=CHAT)
    again = await store.open_complaint(customer, category="delivery", description="late again",
                                       related_to=first.reference, source=CHAT)
    assert again.related_to == first.reference
    with pytest.raises(errors.UnknownComplaint):
        await store.open_complaint(other, category="x", description="y",
                                   related_to=first.reference, source=CHAT)
    listed = await store.complaints(customer)
    assert [c.reference for c in listed] == [again.reference, first.reference]
    assert [c.reference for c in await store.complaints(status="open")][:2] == [
        again.reference, first.reference,
    ]


async def test_complaint_queries_filter_by_owner_and_status(store: ProfileStore):
    customer = await store.identify("web", "q")
    a = await store.open_complaint(customer, category="a", description="a", source=CHAT,
                                   owner="agent:1")
    await store.open_complaint(customer, category="b", description="b", source=CHAT)
    await store.transition_complaint(a.reference, "in_progress", actor="agent:1")
    assert [c.reference for c in await store.complaints(owner="agent:1")] == [a.reference]
    assert [c.reference for c in await store.complaints(status="in_progress")] == [a.reference]
    assert len(await store.complaints(customer, limit=1)) == 1


async def test_complaint_input_errors(store: ProfileStore):
    customer = await store.identify("web", "bad")
    with pytest.raises(errors.InvalidValue):
        await store.open_complaint(customer, category="c", description="d", severity="apocalyptic",
                                   source=CHAT)
    with pytest.raises(errors.UnknownComplaint):
        await store.complaint("C-999999")
    with pytest.raises(errors.UnknownComplaint):
        await store.transition_complaint("not-a-reference", "resolved", actor="a")
    with pytest.raises(errors.InvalidValue):
        await store.open_complaint(customer, category="c", description="", source=CHAT)


async def test_satisfaction_levels_and_trend(store: ProfileStore):
    customer = await store.identify("web", "moody")
    assert (await store.satisfaction_trend(customer)).direction == "unknown"
    await store.record_satisfaction(customer, "dissatisfied", source=CHAT)
    await store.record_satisfaction(customer, Satisfaction.NEUTRAL, source=CHAT)
    reading = await store.record_satisfaction(customer, "completely_satisfied", source=CHAT,
                                              comment="great fix")
    assert reading.level == "completely_satisfied" and reading.score == 5
    assert [r.level for r in await store.satisfaction(customer)] == [
        "completely_satisfied", "neutral", "dissatisfied",
    ]
    trend = await store.satisfaction_trend(customer)
    assert trend.latest == "completely_satisfied"
    assert trend.average == pytest.approx((2 + 3 + 5) / 3, abs=0.01)
    assert trend.direction == "improving"
    await store.record_satisfaction(customer, "completely_dissatisfied", source=CHAT)
    assert (await store.satisfaction_trend(customer, last=2)).direction == "declining"
    with pytest.raises(errors.InvalidValue):
        await store.record_satisfaction(customer, "meh", source=CHAT)


async def test_follow_ups_form_a_queue_and_can_be_completed(store: ProfileStore, clock):
    from datetime import timedelta

    customer = await store.identify("web", "follow")
    complaint = await store.open_complaint(customer, category="service", description="rude",
                                           source=CHAT)
    later = await store.schedule_follow_up(complaint.reference, due_at=clock.now + timedelta(days=2),
                                           actor="bot", note="call back")
    sooner = await store.schedule_follow_up(complaint.reference,
                                            due_at=clock.now + timedelta(hours=4), actor="agent:1")
    assert later.complaint_reference == complaint.reference and later.customer_id == customer
    assert [f.id for f in await store.follow_ups(customer)] == [sooner.id, later.id]
    assert [f.id for f in await store.follow_ups(due_before=clock.now + timedelta(days=1))] == [
        sooner.id
    ]
    done = await store.complete_follow_up(sooner.id, actor="agent:1")
    assert done.done_at is not None and done.done_by == "agent:1"
    assert [f.id for f in await store.follow_ups(customer)] == [later.id]
    assert len(await store.follow_ups(customer, include_done=True)) == 2
    with pytest.raises(errors.UnknownComplaint):
        await store.schedule_follow_up("C-424242", due_at=clock.now, actor="bot")
    with pytest.raises(errors.InvalidValue):
        await store.schedule_follow_up(complaint.reference, due_at=clock.now.replace(tzinfo=None),
                                       actor="bot")
    exported = await store.export(customer)
    assert len(exported["follow_ups"]) == 2
    await store.erase(customer, actor="dpo", reason="asked")
    assert await store.follow_ups() == []
