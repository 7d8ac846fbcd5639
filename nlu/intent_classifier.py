"""A fast linear intent classifier: TF-IDF word and character n-grams plus rule cues.

Rasa's LogisticRegressionClassifier spends most of its time outside the model: combining
per-message feature matrices (about 5 ms a message) and importing skops to save itself
(about 15 s of every training). This component vectorises the text itself, trains
scikit-learn's liblinear logistic regression (one-vs-rest, balanced classes), and stores
only arrays and vocabularies (JSON + .npz, no pickles). Prediction is a sparse dot
product in numpy: well under a millisecond a message.

Features (nlu/features.py): word uni/bigrams and char_wb 2-4-grams, lower-cased TF-IDF
with sublinear tf and L2 norm, followed by the cues in nlu/cues.py. Fitting, storing and
loading the model: nlu/linear_model.py, shared with the complaint classifier.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.cues import CueFinder
from nlu.linear_model import LinearModel
from nlu.text import clip

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent with a one-vs-rest logistic regression over n-grams and cues."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 4],
            # Inverse regularisation strength; picked by 5-fold cross-validation on data/nlu.
            "C": 30.0,
            "ranking_length": 10,
            "random_state": 42,
            # Scale of the sentence vector beside the n-grams (nlu/sentence_encoder.py);
            # 0 leaves the encoder out. Chosen on the dev customers (nlu/README.md).
            "dense_weight": 0.5,
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
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("LinearIntentClassifier needs at least two intents; not trained.")
            return self._resource
        texts = [clip(m.get(TEXT)) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        self._model = LinearModel.fit(self._config, texts, labels, self._cue_finder.cues)
        self._model.save(self._model_storage, self._resource)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        component._model = LinearModel.load(
            component._config, model_storage, resource, component._cue_finder.cues,
            name="intent classifier", untrained="intents stay empty")
        return component

    def predict(self, text: Any) -> list[tuple[str, float]]:
        """(intent, confidence) pairs, most likely first; empty before training."""
        return self._model.predict(text) if self._model else []

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            ranking = self.predict(message.get(TEXT))
            if not ranking:
                continue
            name, confidence = ranking[0]
            message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
            limit = self._config["ranking_length"]
            shown = ranking[:limit] if limit and limit > 0 else ranking
            message.set("intent_ranking",
                        [{"name": n, "confidence": c} for n, c in shown], add_to_output=True)
        return messages
