"""Classifies what a complaint is about: the `complaint_category` entity of a message.

One of `connection`, `billing`, `device`, `service`, `other`, for the whole message (start
0, end len(text)), with `confidence_entity` the classifier's probability. A sixth class,
`none`, is learned from everything that is not a problem (greetings, needs, product
questions, names...), and a message classified `none` gets no entity.

Training labels come from the Rasa training data: an intent block's metadata names the
category of each example in it (Rasa keeps block metadata on every message, under
`metadata.intent`):

    - intent: complain
      metadata: {complaint_category: billing}
      examples: |
        - you charged me twice this month

So typed answers to "what is it about?" ("it's about my bill") are `inform` blocks with
the same metadata. Examples of any other intent without metadata are `none`; `complain`
and `out_of_scope` examples without metadata are skipped.

The model is the intent classifier's (nlu/linear_model.py): TF-IDF word and char
n-grams plus the rule cues of nlu/cues.py (money, order references...), one-vs-rest
liblinear logistic regression. A message whose intent is confidently one that is never a
problem (a greeting, a product question...) is not classified at all.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.cues import CueFinder
from nlu.linear_model import LinearModel
from nlu.text import clip

logger = logging.getLogger(__name__)

CATEGORIES = ("connection", "billing", "device", "service", "other")
NO_CATEGORY = "none"
ENTITY = "complaint_category"
FILE_PREFIX = "complaint_"  # complaint_model.json, complaint_weights.npz
NEVER_A_PROBLEM = (
    "greet", "goodbye", "thank", "bot_challenge", "help", "affirm", "deny", "inform_name",
    "ask_profile", "change_fact", "forget_me", "state_need", "ask_offers", "ask_product",
    "stop_offers", "continue_elsewhere", "cancel", "correct", "complaint_status",
)
# Examples of these intents train the classifier only with a category in their metadata:
# an unlabelled complaint has one we do not know, and out-of-domain complaints ("the bank
# charged me twice") would teach that a double charge is no problem.
UNLABELLED = ("complain", "out_of_scope")


def category_label(message: Message) -> str | None:
    """The training label of an example: its block's category, `none`, or None (skip)."""
    metadata = message.get(METADATA) or {}
    block = metadata.get(METADATA_INTENT) if isinstance(metadata, dict) else None
    if isinstance(block, dict) and block.get(ENTITY):
        return str(block[ENTITY])
    return None if message.get(INTENT) in UNLABELLED else NO_CATEGORY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ComplaintCategoryClassifier(GraphComponent, EntityExtractorMixin):
    """Adds a `complaint_category` entity to messages that state a problem."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 4],
            "C": 10.0,
            "random_state": 42,
            # Scale of the sentence vector beside the n-grams (nlu/sentence_encoder.py);
            # 0 leaves the encoder out. Chosen on the dev customers (nlu/README.md).
            "dense_weight": 2.0,
            # Intents that are never a problem, when the intent classifier is at least
            # this confident: no category is looked for.
            "skip_intents": list(NEVER_A_PROBLEM),
            "skip_confidence": 0.5,
            # Out-of-domain text ("my bank card hasn't come") can sound like a telecom
            # problem to the sentence vector; only a near-certain out_of_scope is skipped,
            # so a complaint the intent classifier doubts keeps its category.
            "skip_out_of_scope_confidence": 0.9,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._cue_finder = CueFinder()
        self._model: LinearModel | None = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ComplaintCategoryClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels, skipped = [], [], 0
        for message in training_data.intent_examples:
            label = category_label(message)
            if label is None:
                skipped += 1
            elif message.get(TEXT):
                if label != NO_CATEGORY and label not in CATEGORIES:
                    raise ValueError(f"complaint_category {label!r} in the training data is "
                                     f"not one of {list(CATEGORIES)}")
                texts.append(clip(message.get(TEXT)))
                labels.append(label)
        if skipped:
            logger.info("%d complain/out_of_scope examples without complaint_category "
                        "metadata do not train the complaint classifier.", skipped)
        if len(set(labels)) < 2:
            logger.warning("No complaint categories in the training data; not trained.")
            return self._resource
        self._model = LinearModel.fit(self._config, texts, labels, self._cue_finder.cues)
        self._model.save(self._model_storage, self._resource, prefix=FILE_PREFIX)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> ComplaintCategoryClassifier:
        component = cls(config, model_storage, resource)
        component._model = LinearModel.load(
            component._config, model_storage, resource, component._cue_finder.cues,
            prefix=FILE_PREFIX, name="complaint classifier", untrained="no categories")
        return component

    def predict(self, text: Any) -> list[tuple[str, float]]:
        """(category or `none`, probability) pairs, most likely first; empty untrained."""
        return self._model.predict(text) if self._model else []

    def _skips(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        confidence = intent.get("confidence") or 0.0
        if intent.get("name") == "out_of_scope":
            return confidence >= self._config["skip_out_of_scope_confidence"]
        return (intent.get("name") in self._config["skip_intents"]
                and confidence >= self._config["skip_confidence"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = clip(message.get(TEXT))
            if not text.strip() or self._skips(message):
                continue
            ranked = self.predict(text)
            if not ranked or ranked[0][0] == NO_CATEGORY:
                continue
            category, probability = ranked[0]
            entity = {"entity": ENTITY, "start": 0, "end": len(message.get(TEXT)),
                      "value": category, "confidence_entity": probability}
            message.set(ENTITIES, (message.get(ENTITIES) or [])
                        + self.add_extractor_name([entity]), add_to_output=True)
        return messages
