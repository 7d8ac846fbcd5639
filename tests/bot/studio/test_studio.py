"""The marketer studio over HTTP: access, the NLG endpoint, editing a draft and validation.

The engine is a fake that, like `rasa run` configured with an NLG endpoint, asks the
gateway's /nlg for every response (see test_studio_support.py).
"""

from __future__ import annotations

import pytest

from bot.studio.project import DOMAIN, OFFERS
from tests.bot.studio.test_studio_support import studio  # noqa: F401  (fixture)

TOP_GREETING = ("Welcome back, {first_name}! You're one of our favourite people. "
                "What can I do today?")


async def edit_response(signed_in, name: str, change) -> dict:
    """Change one response through the form editor's API, the way the page does."""
    data = await signed_in.get_json("/studio/api/responses")
    variations = change(data["responses"][name])
    response = await signed_in.post(f"/studio/api/responses/{name}", {"variations": variations})
    assert response.status == 200, await response.text()
    return await response.json()


def top_variation(text: str):
    def change(variations):
        for variation in variations:
            conditions = variation.get("condition", [])
            if any(c["name"] == "value_tier" and c["value"] == "top" for c in conditions):
                variation["text"] = text
        return variations

    return change


async def publish(signed_in, message: str = "Warmer greeting for top customers"):
    return await signed_in.post("/studio/api/publish", {"message": message})


# --- access ----------------------------------------------------------------------------------

async def test_an_agent_cannot_open_the_studio_or_its_api(studio):
    agent = await studio.marketer("alex", role="agent")
    page = await agent.client.get("/studio", headers={"Accept": "text/html"})
    assert page.status == 403
    assert "does not give access" in await page.text()
    for path in ("/studio/api/status", "/studio/api/responses", "/studio/api/versions"):
        assert (await agent.client.get(path, headers={"Accept": "application/json"})).status == 403
    refused = await agent.post("/studio/api/publish", {"message": "sneaky"})
    assert refused.status == 403


async def test_without_signing_in_the_studio_sends_you_to_the_sign_in_page(studio):
    client = await studio.harness.make_client(studio.harness.server)
    page = await client.get("/studio", headers={"Accept": "text/html"}, allow_redirects=False)
    assert page.status == 303
    assert page.headers["Location"] == "/staff/login?next=/studio"
    assert (await client.get("/studio/api/status")).status == 401


@pytest.mark.parametrize("role", ["marketer", "admin"])
async def test_marketers_and_admins_get_every_studio_page(studio, role):
    member = await studio.marketer("mia", role=role)
    for path in ("/studio", "/studio/responses", "/studio/offers", "/studio/files",
                 "/studio/preview", "/studio/history"):
        page = await member.client.get(path, headers={"Accept": "text/html"})
        assert page.status == 200, path
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]


async def test_a_post_without_the_csrf_token_is_refused(studio):
    mia = await studio.marketer()
    response = await mia.client.post("/studio/api/files", json={"path": DOMAIN, "text": "x"})
    assert response.status == 403


# --- the NLG endpoint ------------------------------------------------------------------------

async def nlg(client, token, name, slots, arguments=None, sender="web.abc"):
    return await client.post("/nlg", json={
        "response": name, "arguments": arguments or {}, "channel": {"name": "collector"},
        "tracker": {"sender_id": sender, "slots": slots},
    }, headers={"Authorization": f"Bearer {token}"})


async def test_nlg_answers_only_the_engine(studio):
    client = await studio.harness.make_client(studio.harness.server)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = await client.post("/nlg", json={"response": "utter_welcome"}, headers=headers)
        assert response.status == 401
    # The right token in the query string is refused: URLs end up in access logs.
    token = studio.settings.nlg_token
    response = await client.post(f"/nlg?token={token}", json={"response": "utter_welcome"})
    assert response.status == 401


async def test_nlg_picks_variations_by_slot_and_fills_placeholders_like_rasa(studio):
    client = await studio.harness.make_client(studio.harness.server)
    token = studio.settings.nlg_token
    top = await nlg(client, token, "utter_welcome_back", {"value_tier": "top"},
                    {"first_name": "Ada"})
    assert (await top.json())["text"].startswith("Welcome back, Ada! It's great to see one of")
    standard = await nlg(client, token, "utter_welcome_back",
                         {"value_tier": "standard", "first_name": "Bo"})
    assert (await standard.json())["text"] == "Welcome back, Bo! How can I help you today?"
    telegram = await nlg(client, token, "utter_welcome", {"channel": "telegram"})
    assert "on Telegram" in (await telegram.json())["text"]
    buttons = await (await nlg(client, token, "utter_ask_need_category", {"channel": "web"})).json()
    assert buttons["buttons"][0] == {"title": "Broadband",
                                     "payload": '/inform{"category": "broadband"}'}
    missing = await nlg(client, token, "utter_no_such_thing", {})
    assert missing.status == 404


RASA_CASES = [
    ("utter_welcome_back", {"value_tier": "top", "first_name": None}, {"first_name": "Ada"},
     "collector"),
    ("utter_welcome_back", {"value_tier": "TOP", "first_name": "Ada"}, {}, "collector"),
    ("utter_welcome_back", {"value_tier": "new", "first_name": "Bo"}, {}, "rest"),
    ("utter_welcome_back", {}, {}, "collector"),
    ("utter_welcome", {"channel": "telegram"}, {}, "telegram"),
    ("utter_welcome", {"channel": "web"}, {}, "collector"),
    ("utter_ask_need_category", {"channel": "web"}, {}, "collector"),
    ("utter_ask_need_category", {}, {}, "collector"),
    ("utter_goodbye", {"value_tier": "top"}, {}, "collector"),
    ("utter_ask_satisfaction", {"value_tier": None}, {}, "collector"),
    ("utter_confirm_forget", {"first_name": "{x}"}, {"unused": 1}, "collector"),
]


def test_response_selection_and_filling_match_rasa_itself():
    """The same cases through Rasa 3.6's TemplatedNaturalLanguageGenerator, in the engine's venv."""
    import json
    import subprocess

    from bot.engine import processes
    from bot.settings import REPO_ROOT
    from bot.studio.project import read_snapshot, responses_of
    from bot.studio.responses import render

    if not processes.ENGINE_PYTHON.exists():
        pytest.skip("the engine environment is not installed")
    script = (
        "import json, sys, asyncio\n"
        "from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator as T\n"
        "responses, cases = json.load(sys.stdin)\n"
        "nlg = T(responses)\n"
        "print(json.dumps([nlg.generate_from_slots(n, s, c, **a) for n, s, a, c in cases]))\n"
    )
    responses = responses_of(read_snapshot(REPO_ROOT))
    result = subprocess.run(
        [str(processes.ENGINE_PYTHON), "-c", script], input=json.dumps([responses, RASA_CASES]),
        capture_output=True, text=True, timeout=300, env=processes.engine_env(), check=True,
    )
    expected = json.loads(result.stdout.strip().splitlines()[-1])
    for (name, slots, arguments, channel), rasa in zip(RASA_CASES, expected):
        ours = render(responses, name, slots=slots, output_channel=channel, arguments=arguments)
        sent = ("text", "buttons", "image", "custom", "attachment")
        keep = {k: v for k, v in rasa.items() if k in sent}
        assert ours == keep, (name, slots)


async def test_a_customer_conversation_gets_its_replies_through_nlg(studio):
    client = await studio.harness.make_client(studio.harness.server)
    await studio.profile("vip", first_name="Ada", tier="top")
    await studio.profile("regular", first_name="Bo")
    assert "most valued customers" in await studio.customer_says(client, "vip", "hello")
    regular = await studio.customer_says(client, "regular", "hello")
    assert regular == "Welcome back, Bo! How can I help you today?"


# --- editing and validating a draft ----------------------------------------------------------

async def test_a_wording_edit_stays_in_the_draft_until_published(studio):
    mia = await studio.marketer()
    client = await studio.harness.make_client(studio.harness.server)
    await studio.profile("vip", first_name="Ada", tier="top")
    status = await edit_response(mia, "utter_welcome_back", top_variation(TOP_GREETING))

    assert status["draft"]["change"] == {"changed": [DOMAIN], "wording": True, "offers": False,
                                         "needs_training": False, "kind": "wording"}
    assert status["blocking"] == 0
    assert "most valued customers" in await studio.customer_says(client, "vip", "hello")
    domain = (await mia.get_json(f"/studio/api/files?path={DOMAIN}"))["text"]
    assert "You're one of our favourite people" in domain
    assert "# Mirrors of profile facts" in domain  # the rest of the file is untouched


async def test_invalid_yaml_is_reported_at_its_line_and_cannot_be_published(studio):
    mia = await studio.marketer()
    text = (await mia.get_json("/studio/api/files?path=data/rules/basics.yml"))["text"]
    broken = text.replace("  - rule: thanks\n", "  - rule: thanks\n    steps: [oops\n", 1)
    saved = await mia.post("/studio/api/files", {"path": "data/rules/basics.yml", "text": broken})
    status = await saved.json()

    [problem] = [p for p in status["problems"] if p["file"] == "data/rules/basics.yml"]
    assert problem["severity"] == "error" and problem["new"]
    # The parser stops on the line after the unclosed bracket.
    assert problem["line"] == broken.splitlines().index("    steps: [oops") + 2
    assert "The YAML is broken here" in problem["message"]
    refused = await publish(mia)
    assert refused.status == 422
    body = await refused.json()
    assert body["problems"][0]["file"] == "data/rules/basics.yml"
    assert (await mia.get_json("/studio/api/versions"))["live"] == 1


async def test_a_rule_naming_an_unknown_response_is_refused_with_a_plain_message(studio):
    mia = await studio.marketer()
    text = (await mia.get_json("/studio/api/files?path=data/rules/basics.yml"))["text"]
    edited = text.replace("      - action: utter_you_are_welcome",
                          "      - action: utter_you_are_very_welcome")
    saved = await mia.post("/studio/api/files", {"path": "data/rules/basics.yml", "text": edited})
    status = await saved.json()
    [problem] = [p for p in status["problems"] if p["code"] == "unknown-action"]
    lines = edited.splitlines()
    assert problem["line"] == lines.index("      - action: utter_you_are_very_welcome") + 1
    assert problem["message"] == (
        "'thanks' makes the bot answer with utter_you_are_very_welcome, but there is no "
        "response called utter_you_are_very_welcome. Create it under Responses, or pick an "
        "existing one."
    )
    assert (await publish(mia, "Typo")).status == 422


def test_a_problem_already_live_is_shown_but_does_not_block():
    """An error the live version already has is reported as not new and does not stop a publish."""
    from bot.studio.validation import Problem, blocking, report

    old = Problem("domain.yml", 12, "The form fact_form has no question for 'fact_value'",
                  code="form-question", subject="fact_form.fact_value")
    new = Problem("domain.yml", 40, "The form need_form has no question for 'need_product'",
                  code="form-question", subject="need_form.need_product")
    moved = Problem("domain.yml", 14, old.message, code=old.code, subject=old.subject)  # same problem, edited lines

    assert blocking([moved, new], already_live=[old]) == [new]
    assert [p["new"] for p in report([moved, new], already_live=[old])] == [False, True]
    assert blocking([moved], already_live=[old]) == []


async def test_the_shipped_bot_has_no_form_without_a_question(studio):
    mia = await studio.marketer()
    status = await edit_response(mia, "utter_goodbye",
                                 lambda v: [{**v[0], "text": "Bye for now!"}, *v[1:]])
    assert [p for p in status["problems"] if p["code"] == "form-question"] == []
    assert (await publish(mia, "Shorter goodbye")).status == 200


async def test_a_new_form_slot_without_a_question_is_refused(studio):
    mia = await studio.marketer()
    text = (await mia.get_json(f"/studio/api/files?path={DOMAIN}"))["text"]
    edited = text.replace("      - need_timeframe\n",
                          "      - need_timeframe\n      - need_product\n", 1)
    status = await (await mia.post("/studio/api/files", {"path": DOMAIN, "text": edited})).json()
    [problem] = [p for p in status["problems"] if p["code"] == "form-question" and p["new"]]
    assert "The form need_form has no question for 'need_product'" in problem["message"]
    assert status["draft"]["change"]["needs_training"] is True
    assert (await publish(mia, "Ask for the product")).status == 422


async def test_a_condition_on_an_impossible_value_is_an_error(studio):
    mia = await studio.marketer()

    def platinum(variations):
        variations[1]["condition"][0]["value"] = "platinum"
        return variations

    status = await edit_response(mia, "utter_welcome_back", platinum)
    [problem] = [p for p in status["problems"] if p["code"] == "condition-value"]
    assert "value_tier is one of new, standard, top" in problem["message"]


async def test_an_offer_with_an_unknown_consent_purpose_is_refused(studio):
    mia = await studio.marketer()
    offers = (await mia.get_json("/studio/api/offers"))["offers"]
    offers[0]["consent"] = "newsletter"
    status = await (await mia.post("/studio/api/offers", {"offers": offers})).json()
    [problem] = [p for p in status["problems"] if p["code"] == "offer-consent"]
    assert problem["file"] == OFFERS
    assert "the consent purpose 'newsletter' is not one customers can agree" in problem["message"]
    assert (await publish(mia, "Newsletter offer")).status == 422


async def test_the_rasa_validator_runs_in_the_background_on_save(studio):
    mia = await studio.marketer()
    await edit_response(mia, "utter_help", lambda v: [{**v[0], "text": "I can help with plans."}])
    for _ in range(50):
        status = await mia.get_json("/studio/api/status")
        if status["rasa"]["status"] == "passed":
            break
        await __import__("asyncio").sleep(0.02)
    assert status["rasa"]["status"] == "passed"
    assert studio.tools.validated[-1][DOMAIN].count("I can help with plans.") == 1


async def test_the_studio_refuses_paths_it_does_not_edit(studio):
    mia = await studio.marketer()
    for path in ("config.yml", "../secrets/api_key", "data/nlu/../../x.yml", "actions/profile.py"):
        response = await mia.post("/studio/api/files", {"path": path, "text": "x"})
        assert response.status == 400, path


def test_variations_by_language_and_segment_are_chosen_from_the_profile_slots():
    from bot.studio.responses import render

    responses = {"utter_welcome_back": [
        {"text": "Welcome back, {first_name}!"},
        {"condition": [{"type": "slot", "name": "language", "value": "de"}], "text": "Willkommen zurück, {first_name}!"},
        {"condition": [{"type": "slot", "name": "segment", "value": "small-business"}],
         "text": "Welcome back, {first_name}: your business line is ready."},
    ]}
    def say(**slots):
        return render(responses, "utter_welcome_back", slots={"first_name": "Ann", **slots})["text"]

    assert say(language="de") == "Willkommen zurück, Ann!"
    assert say(segment="small-business") == "Welcome back, Ann: your business line is ready."
    assert say(language="en") == "Welcome back, Ann!"


async def test_a_preview_engine_in_use_is_not_stopped_as_idle(monkeypatch):
    """The marketer chatting keeps the preview engine; only one left alone is stopped."""
    import asyncio

    from bot.studio import preview

    monkeypatch.setattr(preview, "PREVIEW_IDLE", 0.2)
    engine = preview.PreviewEngine(settings=None, session=None)  # type: ignore[arg-type]
    engine._process = await asyncio.create_subprocess_exec("sleep", "30", start_new_session=True)
    try:
        await asyncio.sleep(0.3)
        engine.touch()  # a message to the preview
        await engine.stop_if_idle()
        assert engine._process is not None and engine._process.returncode is None
        await asyncio.sleep(0.3)
        process = engine._process
        await engine.stop_if_idle()
        assert engine._process is None and process.returncode is not None
    finally:
        if engine._process is not None:
            await engine.stop()
