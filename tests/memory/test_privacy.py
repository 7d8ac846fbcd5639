"""Contract: the data-access export and audited erasure."""
from __future__ import annotations

import json

import pytest

from memory import ProfileStore, Source, errors


async def _customer_with_history(store: ProfileStore) -> str:
    customer = await store.identify("telegram", "tg-555")
    await store.link_identity(customer, "web", "web-555", actor="agent:2", reason="signed link")
    await store.remember(customer, "email", "zoe@example.org", source=Source("web", "w1"))
    await store.remember(customer, "first_name", "Zoé", source=Source("telegram", "t1"))
    await store.start_interaction(customer, "telegram", "t1")
    await store.record_message("t1", sender="customer", text="My email is zoe@example.org")
    await store.end_interaction("t1", "gave her email")
    return customer


async def test_export_holds_everything_and_is_json(store: ProfileStore):
    customer = await _customer_with_history(store)
    document = await store.export(customer)
    encoded = json.dumps(document, ensure_ascii=False)
    assert document["customer_id"] == customer
    assert {i["channel"] for i in document["identities"]} == {"telegram", "web"}
    assert document["profile"]["email"]["value"] == "zoe@example.org"
    assert document["profile"]["first_name"]["source"]["channel"] == "telegram"
    assert len(document["fact_history"]) == 2
    [interaction] = document["interactions"]
    assert interaction["summary"] == "gave her email"
    assert interaction["messages"][0]["text"] == "My email is zoe@example.org"
    assert "Zoé" in encoded


async def test_erase_leaves_nothing_personal_and_an_audit_record(store: ProfileStore):
    customer = await _customer_with_history(store)
    await store.erase(customer, actor="dpo:1", reason="GDPR art. 17 request #12")
    with pytest.raises(errors.UnknownCustomer):
        await store.profile(customer)
    with pytest.raises(errors.UnknownCustomer):
        await store.export(customer)
    assert await store.find_customer("telegram", "tg-555") is None
    assert await store.find_customer("web", "web-555") is None
    assert await store.customer_for_conversation("t1") is None
    with pytest.raises(errors.UnknownConversation):
        await store.transcript("t1")
    audit = await store.audit_log(customer)
    assert [a["action"] for a in audit] == ["link_identity", "erase"]
    erase = audit[-1]
    assert erase["actor"] == "dpo:1" and erase["detail"]["reason"] == "GDPR art. 17 request #12"
    assert erase["detail"]["deleted"]["facts"] == 2
    assert "zoe" not in json.dumps(audit).lower()
    assert audit[0]["detail"] == {"redacted": "erasure"}  # "signed link" reason is gone
    # The same person coming back is a new, empty customer.
    again = await store.identify("telegram", "tg-555")
    assert again != customer and (await store.profile(again)).facts == {}


async def test_erasing_an_absorbed_id_erases_the_merged_person(store: ProfileStore):
    keep = await store.identify("web", "keep")
    absorb = await store.identify("web", "absorb")
    await store.remember(absorb, "city", "Oslo", source=Source("web"))
    await store.merge_customers(keep, absorb, actor="agent:1")
    await store.erase(absorb, actor="dpo:1", reason="request")
    for customer in (keep, absorb):
        with pytest.raises(errors.UnknownCustomer):
            await store.profile(customer)
