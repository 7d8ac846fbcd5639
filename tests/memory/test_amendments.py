"""Contract: customers correct themselves, so needs and complaints change and keep history."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from memory import UNCHANGED, ProfileStore, Source, errors

FIRST = Source("web", conversation_id="conv-1", message_id="m-1")
LATER = Source("telegram", conversation_id="conv-2", message_id="m-7")


async def _need(store: ProfileStore, customer: str):
    return await store.add_need(
        customer, category="broadband", budget="25 GBP/month", timeframe="before:2027-09-01",
        words="a plan with lots of data, about 25 a month", source=FIRST,
    )


async def test_a_corrected_need_changes_and_keeps_the_old_values(store: ProfileStore):
    customer = await store.identify("web", "corrects")
    need = await _need(store, customer)
    assert need.changes == () and need.updated_at == need.created_at

    # "no, I said mobile, not broadband" then "actually my budget is 30"
    mobile = await store.amend_need(need.id, category="mobile", source=LATER)
    amended = await store.amend_need(need.id, budget="30 GBP/month", timeframe=None,
                                     source=Source("web", "conv-1", "m-9", actor="agent:ana"))

    assert (amended.category, amended.budget, amended.timeframe) == ("mobile", "30 GBP/month",
                                                                      None)
    assert amended.words == need.words and amended.source == FIRST  # the need is the same need
    history = [(c.field, c.old_value, c.new_value, c.actor) for c in amended.changes]
    assert history == [
        ("category", "broadband", "mobile", "customer via telegram"),
        ("budget", "25 GBP/month", "30 GBP/month", "agent:ana"),
        ("timeframe", "before:2027-09-01", None, "agent:ana"),
    ]
    assert amended.changes[0].source == LATER and amended.changes[0].at > need.created_at
    assert amended.changes[1].source.message_id == "m-9"
    assert amended.changes[1].at >= mobile.changes[0].at and amended.updated_at > need.created_at
    assert (await store.needs(customer)) == [amended]


async def test_restating_a_value_is_not_a_change(store: ProfileStore):
    customer = await store.identify("web", "repeats")
    need = await _need(store, customer)
    same = await store.amend_need(need.id, category="broadband", budget=UNCHANGED, source=LATER)
    assert same == need and same.changes == ()
    nothing = await store.amend_need(need.id, source=LATER)
    assert nothing == need
    changed = await store.amend_need(need.id, category="broadband", product="sim-only-30",
                                     source=LATER)
    assert [(c.field, c.old_value, c.new_value) for c in changed.changes] == [
        ("product", None, "sim-only-30")
    ]


async def test_need_amendments_are_checked_like_new_needs(store: ProfileStore):
    customer = await store.identify("web", "badneed")
    need = await _need(store, customer)
    for bad in ({"category": ""}, {"category": None}, {"words": None}, {"budget": "9" * 101},
                {"product": "nul \x00"}, {"timeframe": 42}):
        with pytest.raises(errors.InvalidInput):
            await store.amend_need(need.id, source=LATER, **bad)
    with pytest.raises(errors.InvalidValue):
        await store.amend_need(need.id, category="mobile", source={"channel": "web"})
    assert (await store.needs(customer)) == [need]  # nothing half-applied
    for unknown in (need.id + 1000, "1", None, True):
        with pytest.raises(errors.UnknownNeed):
            await store.amend_need(unknown, category="mobile", source=LATER)
    assert issubclass(errors.UnknownNeed, errors.NotFound)
    assert (await store.amend_need(need.id, budget="9" * 100, source=LATER)).budget == "9" * 100


async def test_the_amended_budget_is_the_customers_potential(store: ProfileStore):
    customer = await store.identify("web", "potential")
    need = await _need(store, customer)
    assert (await store.value(customer)).potential == Decimal("25.00")
    await store.amend_need(need.id, budget="30 GBP/month", source=LATER)
    value = await store.value(customer)
    assert (value.potential, value.currency) == (Decimal("30.00"), "GBP")


async def test_a_complaint_is_recorded_first_and_completed_by_follow_up_answers(
    store: ProfileStore,
):
    customer = await store.identify("web", "complains")
    complaint = await store.open_complaint(
        customer, category="other", description="my internet has been down since yesterday",
        source=FIRST,
    )
    await store.amend_complaint(complaint.reference, actor="bot", source=LATER,
                                category="connection", severity="high")
    final = await store.amend_complaint(complaint.reference.lower(), actor="agent:ana",
                                        order_ref="NW-123456", product_ref="fibre-500")

    assert (final.category, final.severity, final.order_ref, final.product_ref) == (
        "connection", "high", "NW-123456", "fibre-500")
    assert final.description == complaint.description and final.status == "open"
    assert [(c.field, c.old_value, c.new_value, c.actor) for c in final.changes] == [
        ("category", "other", "connection", "bot"),
        ("severity", "medium", "high", "bot"),
        ("order_ref", None, "NW-123456", "agent:ana"),
        ("product_ref", None, "fibre-500", "agent:ana"),
    ]
    assert final.changes[0].source == LATER and final.changes[2].source is None
    assert final.updated_at == final.changes[-1].at > complaint.updated_at
    assert final.transitions == complaint.transitions  # amending is not a status move
    assert await store.complaint(complaint.reference) == final
    assert (await store.complaints(customer)) == [final]

    unchanged = await store.amend_complaint(complaint.reference, actor="bot", severity="high")
    assert unchanged == final  # nothing changed, so updated_at stays


async def test_complaint_amendments_are_checked_like_new_complaints(store: ProfileStore):
    customer = await store.identify("web", "badcomplaint")
    complaint = await store.open_complaint(customer, category="billing", description="twice",
                                           source=FIRST)
    for bad in ({"severity": "apocalyptic"}, {"description": ""}, {"category": None},
                {"order_ref": "x" * 201}, {"description": "lone \ud800"}):
        with pytest.raises(errors.InvalidInput):
            await store.amend_complaint(complaint.reference, actor="bot", **bad)
    with pytest.raises(errors.InvalidValue):
        await store.amend_complaint(complaint.reference, actor="", severity="low")
    with pytest.raises(errors.InvalidValue):
        await store.amend_complaint(complaint.reference, actor="bot", source="web",
                                    severity="low")
    for unknown in ("C-999999", "not-a-reference"):
        with pytest.raises(errors.UnknownComplaint):
            await store.amend_complaint(unknown, actor="bot", severity="low")
    assert await store.complaint(complaint.reference) == complaint


async def test_a_resolved_complaint_takes_details_but_not_a_new_classification(
    store: ProfileStore,
):
    customer = await store.identify("web", "resolved")
    complaint = await store.open_complaint(customer, category="billing", description="twice",
                                           source=FIRST)
    await store.transition_complaint(complaint.reference, "resolved", actor="agent:ana")
    detailed = await store.amend_complaint(
        complaint.reference, actor="bot", order_ref="INV-2026-11",
        description="charged twice for the November invoice",
    )
    assert detailed.status == "resolved" and detailed.order_ref == "INV-2026-11"
    with pytest.raises(errors.ComplaintResolved) as refused:
        await store.amend_complaint(complaint.reference, actor="bot", category="device",
                                    order_ref="INV-2026-12")
    assert refused.value.fields == ["category"] and "reopen" in str(refused.value)
    assert isinstance(refused.value, errors.Conflict)
    assert await store.complaint(complaint.reference) == detailed  # refused as a whole
    same = await store.amend_complaint(complaint.reference, actor="bot", category="billing")
    assert same == detailed  # re-stating it is no change, so no refusal
    await store.transition_complaint(complaint.reference, "reopened", actor="customer")
    moved = await store.amend_complaint(complaint.reference, actor="agent:ana", category="device")
    assert moved.category == "device" and len(moved.changes) == 3


async def test_history_is_in_the_export_and_gone_after_erasure(store: ProfileStore):
    customer = await store.identify("web", "exported")
    need = await _need(store, customer)
    await store.amend_need(need.id, category="mobile", budget="30 GBP/month", source=LATER)
    complaint = await store.open_complaint(customer, category="billing",
                                           description="charged me twice", source=FIRST)
    await store.amend_complaint(complaint.reference, actor="bot",
                                description="charged twice in May")

    document = await store.export(customer)
    json.dumps(document)
    [exported_need] = document["needs"]
    assert exported_need["category"] == "mobile"
    assert [(c["field"], c["old_value"]) for c in exported_need["changes"]] == [
        ("category", "broadband"), ("budget", "25 GBP/month")]
    assert exported_need["changes"][0]["source"]["channel"] == "telegram"
    [exported_complaint] = document["complaints"]
    assert exported_complaint["changes"][0]["old_value"] == "charged me twice"

    await store.erase(customer, actor="dpo:1", reason="request")
    with pytest.raises(errors.UnknownNeed):
        await store.amend_need(need.id, category="tv", source=LATER)
    with pytest.raises(errors.UnknownComplaint):
        await store.amend_complaint(complaint.reference, actor="bot", severity="low")
    assert "charged me twice" not in json.dumps(await store.audit_log(customer))


async def test_amendments_follow_a_merge(store: ProfileStore):
    keep = await store.identify("web", "keep")
    absorb = await store.identify("telegram", "absorb")
    need = await _need(store, absorb)
    await store.amend_need(need.id, category="mobile", source=LATER)
    await store.merge_customers(keep, absorb, actor="agent:1")
    again = await store.amend_need(need.id, budget="35 GBP/month", source=FIRST)
    assert again.customer_id == keep and [c.field for c in again.changes] == ["category",
                                                                               "budget"]
    assert (await store.needs(keep)) == [again]


async def test_concurrent_corrections_both_land_with_their_history(store: ProfileStore):
    import asyncio

    customer = await store.identify("web", "racing")
    need = await _need(store, customer)
    await asyncio.gather(*(
        store.amend_need(need.id, budget=f"{30 + n} GBP/month", source=LATER) for n in range(5)
    ), store.amend_need(need.id, category="mobile", source=FIRST))
    [final] = await store.needs(customer)
    budgets = [c for c in final.changes if c.field == "budget"]
    assert final.category == "mobile" and len(budgets) == 5
    # Each change starts from the value the one before it left: none was lost.
    assert [c.old_value for c in budgets[1:]] == [c.new_value for c in budgets[:-1]]
    assert final.budget == budgets[-1].new_value


async def test_erasure_deletes_the_history_rows(sql_url: str):
    from sqlalchemy import text

    from memory import open_store

    store = await open_store(sql_url)
    try:
        customer = await store.identify("web", "rows")
        need = await _need(store, customer)
        await store.amend_need(need.id, budget="30 GBP/month", source=LATER)
        complaint = await store.open_complaint(customer, category="billing", description="d",
                                               source=FIRST)
        await store.amend_complaint(complaint.reference, actor="bot", severity="high")

        def count(connection) -> list[int]:
            return [connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                    for table in ("need_changes", "complaint_changes")]

        assert await store.runner.run(count, write=False) == [1, 1]
        await store.erase(customer, actor="dpo:1", reason="request")
        assert await store.runner.run(count, write=False) == [0, 0]
    finally:
        await store.close()
