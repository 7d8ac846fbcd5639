"""The NLG plugin inside Rasa's own environment asks the gateway, and falls back to the model."""

from __future__ import annotations

import pytest

from bot.engine import processes
from bot.settings import REPO_ROOT
from bot.studio.project import DOMAIN


ENGINE_NLG_SCRIPT = r'''
import asyncio, json, sys
from aiohttp import web
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from bot.engine.nlg import GatewayNaturalLanguageGenerator

async def main():
    domain = Domain.load(sys.argv[1])
    tracker = DialogueStateTracker.from_events("web.x", [SlotSet("value_tier", "top")],
                                               domain.slots)
    seen = []

    async def nlg(request):
        seen.append((request.headers.get("Authorization"), await request.json()))
        return web.json_response({"text": "from the gateway"})

    app = web.Application()
    app.router.add_post("/nlg", nlg)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    results = []
    for url in (f"http://127.0.0.1:{port}/nlg", "http://127.0.0.1:9/nlg"):
        generator = GatewayNaturalLanguageGenerator(EndpointConfig(url=url, token="t0k"), domain)
        results.append(await generator.generate(
            "utter_welcome_back", tracker, "collector", first_name="Ada",
            domain_responses=domain.responses))
    await runner.cleanup()
    body = seen[0][1]
    print(json.dumps({"results": results, "auth": seen[0][0], "sent": {
        "response": body["response"], "arguments": body["arguments"],
        "sender": body["tracker"]["sender_id"], "tier": body["tracker"]["slots"]["value_tier"],
        "keys": sorted(body["tracker"])}}))

asyncio.run(main())
'''


@pytest.mark.skipif(not processes.ENGINE_PYTHON.exists(),
                    reason="the engine environment is not installed")
def test_the_engine_asks_the_gateway_and_falls_back_to_the_model_when_it_cannot():
    """bot/engine/nlg.py inside Rasa's own environment, against a stand-in gateway."""
    import json
    import subprocess

    result = subprocess.run(
        [str(processes.ENGINE_PYTHON), "-c", ENGINE_NLG_SCRIPT, str(REPO_ROOT / DOMAIN)],
        capture_output=True, text=True, timeout=300, env=processes.engine_env(), cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    gateway, fallback = out["results"]
    assert gateway["text"] == "from the gateway"
    assert out["auth"] == "Bearer t0k"
    assert out["sent"] == {"response": "utter_welcome_back", "arguments": {"first_name": "Ada"},
                           "sender": "web.x", "tier": "top", "keys": ["sender_id", "slots"]}
    # The gateway is unreachable: the model's own top-tier wording, filled in.
    assert fallback["text"].startswith("Welcome back, Ada! It's great to see one of our most")
