"""Rule-based extractor for the customer's `first_name` and a problem's `severity`.

The finders are in nlu/names.py and nlu/severity.py; both read the one tokenization the
other rule finders already made of the message (nlu/finders.py). Nothing is learned.

- `first_name` whenever the customer introduces or corrects themselves. A message that is
  only a capitalised unknown word ("Fatima") is left to the dialogue unless
  `single_word_names` is set: the dialogue knows when it asked for a name.
- `severity` only where it says how badly a problem hurts: in a message that has a
  complaint category (the complaint classifier runs before this component), whose intent
  is `complain` or `inform`, or that is mostly the severity phrase itself ("only a bit",
  "happens every day"). So "hi again" or "a bit more data" never get one.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu import timeframe
from nlu.finders import rule_finders, shared_nlp
from nlu.names import FirstNameFinder
from nlu.severity import SeverityFinder
from nlu.text import clip, without_overlaps

SEVERITY_INTENTS = ("complain", "inform")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class NameSeverityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts `first_name` and `severity` entities by rules."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "single_word_names": False,
            "severity_intents": list(SEVERITY_INTENTS),
            # Severity in other messages only when its phrase covers this share of them.
            "severity_min_coverage": 0.6,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        self.finders = rule_finders()
        self.names = FirstNameFinder(single_word=self._config["single_word_names"])
        self.severity = SeverityFinder(shared_nlp())

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> NameSeverityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = self.extract(message.get(TEXT), message.get(ENTITIES) or [],
                                    (message.get(INTENT) or {}).get("name"))
            if entities:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + entities,
                            add_to_output=True)
        return messages

    def extract(self, text: Any, existing: list[dict[str, Any]] = (),
                intent: str | None = None) -> list[dict[str, Any]]:
        """Rasa entity dicts for `text`, leaving spans other extractors already took alone."""
        text = clip(text)
        if not text.strip():
            return []
        doc = self.finders.find(text, timeframe.today()).doc
        found = self.names.find(doc)
        severity = self.severity.find(doc)
        if severity and self._wants_severity(text, severity[0], existing, intent):
            found += severity
        # Whole-message entities (the complaint category) do not block a span.
        taken = [(e["start"], e["end"]) for e in existing
                 if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
                 and e.get("entity") not in ("complaint_category", "severity")]
        names = [item for item in without_overlaps(
            [item for item in found if item.entity == "first_name"], taken)]
        kept = names + [item for item in found if item.entity == "severity"]
        return self.add_extractor_name([item.as_rasa(text) for item in kept])

    def _wants_severity(self, text: str, severity, existing: list[dict[str, Any]],
                        intent: str | None) -> bool:
        if any(e.get("entity") == "complaint_category" for e in existing):
            return True
        if intent in self._config["severity_intents"]:
            return True
        letters = len(text.strip()) or 1
        return (severity.end - severity.start) / letters >= self._config["severity_min_coverage"]
