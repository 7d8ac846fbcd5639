"""Publishing from the studio: wording and offers live at once, flows trained and swapped in with
no turn dropped, versions with authors and diffs, rollback, merging two drafts, preview."""

from __future__ import annotations

import asyncio

from bot.state import STORE
from bot.studio.project import DOMAIN, OFFERS
from bot.studio.validation import Problem
from tests.bot.studio.test_studio import TOP_GREETING, edit_response, publish, top_variation
from tests.bot.studio.test_studio_support import studio  # noqa: F401  (fixture)

RULES = "data/rules/basics.yml"


async def wait_for_job(member, timeout: float = 10.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            job = (await member.get_json("/studio/api/job"))["job"]
            if job["state"] != "running":
                return job
            await asyncio.sleep(0.05)


async def flow_edit(member) -> None:
    """Answer 'help' with the bot-challenge response: a rule change, so it needs a new model."""
    text = (await member.get_json(f"/studio/api/files?path={RULES}"))["text"]
    edited = text.replace("      - intent: help\n      - action: utter_help",
                          "      - intent: help\n      - action: utter_iamabot")
    assert edited != text
    response = await member.post("/studio/api/files", {"path": RULES, "text": edited})
    assert (await response.json())["draft"]["change"]["needs_training"] is True


async def test_a_published_greeting_reaches_top_customers_at_once_and_nobody_else(studio):
    mia = await studio.marketer()
    client = await studio.harness.make_client(studio.harness.server)
    await studio.profile("vip", first_name="Ada", tier="top", conversation="later")
    await studio.profile("regular", first_name="Bo", conversation="later")
    await edit_response(mia, "utter_welcome_back", top_variation(TOP_GREETING))

    response = await publish(mia)
    assert response.status == 200
    job = (await response.json())["job"]
    assert job["state"] == "done" and job["version"] == 2 and job["needs_training"] is False

    assert await studio.customer_says(client, "vip", "hello", "later") == (
        "Welcome back, Ada! You're one of our favourite people. What can I do today?")
    regular = await studio.customer_says(client, "regular", "hello", "later")
    assert regular == "Welcome back, Bo! How can I help you today?"
    assert studio.engine.models == [] and studio.tools.trained == []  # no retraining, no swap

    version = await mia.get_json("/studio/api/versions/2")
    assert (version["author"], version["author_username"], version["message"]) == (
        "Mia", "mia", "Warmer greeting for top customers")
    assert (version["kind"], version["changed"], version["parent"]) == ("wording", [DOMAIN], 1)
    assert f"+      text: \"{TOP_GREETING}\"" in version["diff"]
    assert "-      text: \"Welcome back, {first_name}! It's great to see" in version["diff"]
    audit = (await mia.get_json("/studio/api/audit"))["entries"]
    assert [(e["action"], e["username"]) for e in audit[:2]] == [("publish", "mia"),
                                                                  ("save", "mia")]
    status = await mia.get_json("/studio/api/status")
    assert status["draft"]["change"]["changed"] == [] and status["live"]["number"] == 2


async def test_rollback_restores_the_old_greeting_as_a_new_version(studio):
    mia = await studio.marketer()
    client = await studio.harness.make_client(studio.harness.server)
    await studio.profile("vip", first_name="Ada", tier="top")
    await edit_response(mia, "utter_welcome_back", top_variation(TOP_GREETING))
    await publish(mia)
    assert "favourite people" in await studio.customer_says(client, "vip", "hello")

    response = await mia.post("/studio/api/versions/1/rollback")
    assert response.status == 200, await response.text()
    assert "most valued customers" in await studio.customer_says(client, "vip", "hello")
    versions = (await mia.get_json("/studio/api/versions"))
    assert versions["live"] == 3
    newest = versions["versions"][0]
    assert (newest["kind"], newest["rollback_of"]) == ("rollback", 1)
    assert versions["versions"][0]["message"] == "Rolled back to version 1"
    assert (await mia.post("/studio/api/versions/3/rollback")).status == 400  # already live
    assert (await mia.post("/studio/api/versions/99/rollback")).status == 404


async def test_an_offer_change_is_live_in_the_store_without_retraining(studio):
    mia = await studio.marketer()
    offers = (await mia.get_json("/studio/api/offers"))["offers"]
    offers[0]["text"] = "Fibre 500 for £29/month for 12 months."
    offers[0]["eligibility"] = {"value_tiers": ["top"], "channels": ["web"]}
    offers[0]["reoffer_after_days"] = 14
    status = await (await mia.post("/studio/api/offers", {"offers": offers})).json()
    assert status["draft"]["change"]["kind"] == "offers" and status["blocking"] == 0
    assert (await publish(mia, "Cheaper fibre for top web customers")).status == 200

    [offer] = [o for o in await studio.app[STORE].offers() if o.offer_id == offers[0]["id"]]
    assert offer.description == "Fibre 500 for £29/month for 12 months."
    assert offer.attributes["eligibility"] == {"value_tiers": ["top"], "channels": ["web"]}
    assert offer.attributes["reoffer_after_days"] == 14
    assert studio.tools.trained == []


async def test_a_flow_change_is_trained_then_swapped_in_without_dropping_a_turn(studio):
    """Customers keep talking through the publish; the engine cannot answer while it loads."""
    mia = await studio.marketer()
    studio.engine.load_seconds = 1.0
    await studio.profile("steady", first_name="Cy")
    client = await studio.harness.make_client(studio.harness.server)
    await flow_edit(mia)
    replies: list[str] = []
    publishing = True

    async def traffic() -> None:
        while publishing:
            replies.append(await studio.customer_says(client, "steady", "hello"))

    talking = asyncio.ensure_future(traffic())
    response = await publish(mia, "Help answers as the bot")
    assert response.status in (200, 202)
    job = await wait_for_job(mia)
    await asyncio.sleep(0.1)
    publishing = False
    await talking

    assert job["state"] == "done", job
    assert studio.engine.models == [str(studio.tools.model_path(studio.tools.trained[0]))]
    assert len(replies) > 10
    # None dropped, none wrong.
    assert set(replies) == {"Welcome back, Cy! How can I help you today?"}
    assert studio.engine.refused_while_loading == 0
    version = await mia.get_json("/studio/api/versions/2")
    assert version["kind"] == "training" and version["model"].endswith(".tar.gz")


async def test_the_engine_really_is_unreachable_while_it_loads(studio):
    """The control for the test above: without the gateway's gate, a turn during the load fails."""
    studio.engine.load_seconds = 0.5
    engine_url = studio.settings.engine_url
    session = studio.engine.session
    swap = asyncio.ensure_future(session.put(f"{engine_url}/model?token=test-engine-token",
                                             json={"model_file": "x"}))
    await asyncio.sleep(0.1)
    turn = {"sender": "api.x", "message": "hello"}
    async with session.post(f"{engine_url}/webhooks/rest/webhook", json=turn) as r:
        assert r.status == 503
    (await swap).release()


async def test_rasa_refusing_a_flow_change_stops_the_publish(studio):
    mia = await studio.marketer()
    studio.tools.refuse = [Problem(RULES, 12, "Rasa: the rule 'help' contradicts a story",
                                   code="rasa", subject="x", source="rasa")]
    await flow_edit(mia)
    response = await publish(mia, "Help answers as the bot")
    job = (await response.json()).get("job") or await wait_for_job(mia)
    if response.status == 202:
        job = await wait_for_job(mia)
    assert job["state"] == "failed"
    assert "Rasa's validator refused the draft" in job["error"]
    assert job["problems"][0]["line"] == 12
    assert studio.engine.models == [] and studio.tools.trained == []
    assert (await mia.get_json("/studio/api/versions"))["live"] == 1


async def test_a_failed_training_leaves_the_live_bot_unchanged(studio):
    mia = await studio.marketer()

    async def broken(*args, **kwargs):
        from bot.studio.rasa_tools import TrainingFailed

        raise TrainingFailed("Training failed: out of memory.")

    studio.tools.train = broken
    await flow_edit(mia)
    response = await publish(mia, "Help answers as the bot")
    job = (await response.json())["job"] if response.status != 202 else await wait_for_job(mia)
    assert job["state"] == "failed" and "The live bot is unchanged" in job["error"]
    assert (await mia.get_json("/studio/api/versions"))["live"] == 1


async def test_rollback_of_a_flow_change_swaps_the_stored_model_back_without_training(studio):
    mia = await studio.marketer()
    await flow_edit(mia)
    await publish(mia, "Help answers as the bot")
    assert (await wait_for_job(mia))["state"] == "done"
    await mia.post("/studio/api/versions/1/rollback")
    assert (await wait_for_job(mia))["state"] == "done"
    trained_before = list(studio.tools.trained)
    # Back to the flow change: its model is stored.
    await mia.post("/studio/api/versions/2/rollback")
    assert (await wait_for_job(mia))["state"] == "done"
    assert studio.tools.trained == trained_before
    assert len(studio.engine.models) == 3 and studio.engine.models[0] == studio.engine.models[2]


async def test_two_drafts_on_different_files_merge_and_on_the_same_file_conflict(studio):
    mia, sam = await studio.marketer("mia"), await studio.marketer("sam")
    await edit_response(mia, "utter_welcome_back", top_variation(TOP_GREETING))
    offers = (await sam.get_json("/studio/api/offers"))["offers"]
    offers[1]["reoffer_after_days"] = 90
    await sam.post("/studio/api/offers", {"offers": offers})
    assert (await publish(mia)).status == 200
    assert (await sam.get_json("/studio/api/status"))["draft"]["behind"] is True
    assert (await publish(sam, "Longer pause for the loyalty upgrade")).status == 200
    live = await mia.get_json("/studio/api/versions/3")
    assert live["changed"] == [OFFERS]
    assert TOP_GREETING in (await sam.get_json(f"/studio/api/files?path={DOMAIN}"))["text"]

    await edit_response(mia, "utter_goodbye", lambda v: [{**v[0], "text": "Bye!"}, *v[1:]])
    await edit_response(sam, "utter_goodbye", lambda v: [{**v[0], "text": "See you!"}, *v[1:]])
    assert (await publish(mia, "Short goodbye")).status == 200
    clash = await publish(sam, "Friendly goodbye")
    assert clash.status == 409
    assert "someone else published changes to domain.yml" in (await clash.json())["error"]


async def test_publishing_needs_a_message_and_a_change(studio):
    mia = await studio.marketer()
    assert (await publish(mia, "nothing")).status == 400
    await edit_response(mia, "utter_goodbye", lambda v: [{**v[0], "text": "Bye!"}, *v[1:]])
    response = await publish(mia, "  ")
    assert response.status == 400 and "Say in a few words" in (await response.json())["error"]


async def test_a_marketer_previews_draft_wording_as_a_top_customer(studio):
    mia = await studio.marketer()
    client = await studio.harness.make_client(studio.harness.server)
    await studio.profile("vip", first_name="Ada", tier="top")
    await edit_response(mia, "utter_welcome_back", top_variation(TOP_GREETING))

    options = {"value_tier": "top", "channel": "web", "first_name": "Ada"}
    started = await (await mia.post("/studio/api/preview", options)).json()
    assert started["ready"] is True
    said = await mia.post("/studio/api/preview/messages", {"text": "hello"})
    assert (await said.json())["replies"] == [{
        "text": "Welcome back, Ada! You're one of our favourite people. What can I do today?",
        "buttons": []}]
    # The live bot is untouched.
    assert "most valued customers" in await studio.customer_says(client, "vip", "hello")
    assert (await mia.post("/studio/api/preview", {"value_tier": "gold"})).status == 400
