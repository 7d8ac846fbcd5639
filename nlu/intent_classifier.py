"""A fast linear intent classifier: TF-IDF word and character n-grams plus rule cues.

Rasa's LogisticRegressionClassifier spends most of its time outside the model: combining
per-message feature matrices (about 5 ms a message) and importing skops to save itself
(about 15 s of every training). This component vectorises the text itself, trains
scikit-learn's liblinear logistic regression (one-vs-rest, balanced classes), and stores
only arrays and vocabularies (JSON + .npz, no pickles). Prediction is a sparse dot
product in numpy: well under a millisecond a message.

Features (nlu/features.py): word uni/bigrams and char_wb 2-4-grams, lower-cased TF-IDF
with sublinear tf and L2 norm, followed by the cues in nlu/cues.py.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from nlu.cues import CUE_NAMES, CueFinder
from nlu.features import Encoder, fit_vocabularies, ranking
from nlu.text import clip

logger = logging.getLogger(__name__)

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"


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
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._cue_finder = CueFinder()
        self._encoder: Encoder | None = None
        self._classes: list[str] = []
        self._coef = np.zeros((0, 0))
        self._intercept = np.zeros(0)

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
        vocabularies, idfs = fit_vocabularies(self._config, texts)
        self._encoder = Encoder(self._config, vocabularies, idfs, CUE_NAMES, self._cue_finder.cues)
        model = LogisticRegression(
            C=self._config["C"], solver="liblinear", class_weight="balanced",
            random_state=self._config["random_state"],
        ).fit(self._encoder.matrix(texts), labels)
        self._classes = [str(label) for label in model.classes_]
        self._coef = model.coef_.astype(np.float64)
        self._intercept = model.intercept_.astype(np.float64)
        self._persist(vocabularies, idfs)
        return self._resource

    def _persist(self, vocabularies: list[dict[str, int]], idfs: list[np.ndarray]) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(json.dumps({
                "classes": self._classes, "vocabularies": vocabularies,
                "cues": list(CUE_NAMES),
            }, ensure_ascii=False), encoding="utf-8")
            np.savez(directory / WEIGHTS_FILE, coef=self._coef, intercept=self._intercept,
                     idf_word=idfs[0], idf_char=idfs[1])

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                model = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
                with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as weights:
                    arrays = {name: weights[name] for name in weights.files}
        except (ValueError, OSError):
            logger.warning("No trained intent classifier in the model; intents stay empty.")
            return component
        if model["cues"] != list(CUE_NAMES):
            logger.warning("The model was trained with other cue features; retrain it.")
            return component
        component._classes = model["classes"]
        component._coef, component._intercept = arrays["coef"], arrays["intercept"]
        component._encoder = Encoder(component._config, model["vocabularies"],
                                     [arrays["idf_word"], arrays["idf_char"]],
                                     CUE_NAMES, component._cue_finder.cues)
        return component

    def predict(self, text: Any) -> list[tuple[str, float]]:
        """(intent, confidence) pairs, most likely first; empty before training."""
        if self._encoder is None:
            return []
        return ranking(self._classes, self._coef, self._intercept,
                       self._encoder.encode(clip(text)))

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
