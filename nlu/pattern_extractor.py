"""Rule-based extractor for money, timeframes, contact details, order references and fact keys.

Runs the finders in nlu/money.py, nlu/timeframe.py, nlu/contacts.py and nlu/fact_keys.py
over one spaCy tokenization of the message and reports each span at most once (the longest
wins; spans an earlier extractor already reported are left alone). Value formats are
documented in each finder's module docstring and in nlu/README.md.

Nothing is learned, so the component is not trainable: the matchers are built in
`create` (once per process and shared with the intent cues, see nlu/finders.py), and
dates are resolved against the clock when a message is parsed.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu import timeframe
from nlu.finders import rule_finders
from nlu.money import deployment_currency
from nlu.text import clip, without_overlaps

logger = logging.getLogger(__name__)

DIMENSIONS = ("email", "phone", "order_ref", "money", "timeframe", "fact_key")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PatternEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts money, timeframe, email, phone, order_ref and fact_key entities by rules."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Entity types to extract; a subset switches the others off.
            "dimensions": list(DIMENSIONS),
            # Currency for amounts said without one ("under 40 a month"); None: the
            # deployment's RAPPORT_CURRENCY, read when the engine loads the model (GBP).
            "default_currency": None,
            # Country calling code for numbers written the national way ("0151 ...").
            "default_country_code": "44",
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        unknown = set(self._config["dimensions"]) - set(DIMENSIONS)
        if unknown:
            raise InvalidConfigException(
                f"{type(self).__name__}: unknown dimensions {sorted(unknown)}; "
                f"choose from {list(DIMENSIONS)}"
            )
        self.dimensions = frozenset(self._config["dimensions"])
        try:
            currency = self._config["default_currency"] or deployment_currency()
        except ValueError as error:
            raise InvalidConfigException(f"{type(self).__name__}: {error}") from None
        # Shared with the intent cues (nlu/finders.py): one build, one run per message.
        self.finders = rule_finders(currency, self._config["default_country_code"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PatternEntityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = self.extract(message.get(TEXT), message.get(ENTITIES) or [])
            if entities:
                message.set(
                    ENTITIES, (message.get(ENTITIES) or []) + entities, add_to_output=True
                )
        return messages

    def extract(self, text: Any, existing: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
        """Rasa entity dicts for `text`, leaving spans other extractors already took alone."""
        text = clip(text)
        if not text.strip():
            return []
        # Contact details first: on equal length an email beats anything inside it.
        found = self.finders.find(text, timeframe.today()).found
        taken = [
            (entity["start"], entity["end"]) for entity in existing
            if isinstance(entity.get("start"), int) and isinstance(entity.get("end"), int)
        ]
        kept = [item for item in found if item.entity in self.dimensions]
        return self.add_extractor_name([item.as_rasa(text) for item in without_overlaps(kept, taken)])
