"""Runs inside the engine (Rasa 3.6, Python 3.10): every response is fetched from the gateway.

endpoints.yml names it (bot.engine.config writes this):

    nlg:
      type: bot.engine.nlg.GatewayNaturalLanguageGenerator
      url: http://127.0.0.1:8080/nlg
      token: <derived from the signing key>

It speaks the request format of Rasa's CallbackNaturalLanguageGenerator ({response, id,
arguments, tracker, channel}) with three differences:
- one pooled HTTP session, not a new connection for every response;
- a slim tracker (sender id and slots), not every event of the conversation;
- when the gateway cannot answer, the model's own responses are used (it subclasses the
  templated generator, so Rasa hands it the model's domain on every model load): a
  customer is never left without a reply, at worst with the wording of the last training.
"""

import asyncio
import logging
from typing import Any, Dict, Optional, Text

import aiohttp
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

logger = logging.getLogger(__name__)


class GatewayNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    # Rasa builds a new generator for every model it loads (PUT /model); they share one
    # connection pool per event loop, so swapping models leaves no unclosed sessions behind.
    _sessions: Dict[int, aiohttp.ClientSession] = {}

    def __init__(self, endpoint_config: Any, domain: Any = None) -> None:
        super().__init__(domain.responses if domain is not None else {})
        self.url = endpoint_config.url
        token = endpoint_config.token
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = aiohttp.ClientTimeout(total=float(endpoint_config.kwargs.get("timeout", 5)))

    def _client(self) -> aiohttp.ClientSession:
        loop = id(asyncio.get_running_loop())
        session = self._sessions.get(loop)
        if session is None or session.closed:
            session = self._sessions[loop] = aiohttp.ClientSession()
        return session

    @staticmethod
    def _valid(message: Dict[Text, Any]) -> bool:
        return CallbackNaturalLanguageGenerator.validate_response(message)

    async def generate(
        self, utter_action: Text, tracker: Any, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        domain_responses = kwargs.pop("domain_responses", None)
        body = {
            "response": utter_action,
            "id": CallbackNaturalLanguageGenerator.fetch_response_id(
                utter_action, tracker, output_channel, domain_responses
            ),
            "arguments": kwargs,
            "tracker": {"sender_id": tracker.sender_id, "slots": tracker.current_slot_values()},
            "channel": {"name": output_channel},
        }
        try:
            async with self._client().post(
                self.url, json=body, headers=self.headers, timeout=self.timeout
            ) as response:
                if response.status == 200:
                    message = await response.json()
                    if isinstance(message, dict) and self._valid(message):
                        return message
                elif response.status == 404:
                    logger.debug("the gateway has no response %s; using the model's", utter_action)
                else:
                    logger.warning("the gateway answered %s for %s; using the model's wording",
                                   response.status, utter_action)
        except Exception as error:  # noqa: BLE001 - any failure falls back; never drop the reply
            logger.warning("the gateway's NLG is unreachable (%s); the model's wording for %s",
                           type(error).__name__, utter_action)
        return await super().generate(utter_action, tracker, output_channel, **kwargs)
