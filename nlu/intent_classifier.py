"""A fast linear intent classifier: TF-IDF word and character n-grams plus rule cues.

Rasa's LogisticRegressionClassifier spends most of its time outside the model: combining
per-message feature matrices (about 5 ms a message) and importing skops to save itself
(about 15 s of every training). This component vectorises the text itself, trains
scikit-learn's liblinear logistic regression (one-vs-rest, balanced classes), and stores
only arrays and vocabularies (JSON + .npz, no pickles). Prediction is a sparse dot
product in numpy: well under a millisecond a message.

Features: word uni/bigrams and char_wb 2-4-grams, both lower-cased TF-IDF with sublinear
tf and L2 norm (as scikit-learn's TfidfVectorizer), followed by the cues in nlu/cues.py.
"""
from __future__ import annotations

import json
import logging
import math
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.cues import CUE_NAMES, CueFinder
from nlu.text import clip

logger = logging.getLogger(__name__)

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
# Words are runs of anything but whitespace and light punctuation, so "ann@x.com",
# "£40" and "fibre-500" stay whole.
TOKEN_PATTERN = r"[^\s.,!?;:()\"']+"


def _vectorizer(analyzer: str, ngrams: tuple[int, int]) -> TfidfVectorizer:
    options: dict[str, Any] = {"analyzer": analyzer, "ngram_range": ngrams,
                               "lowercase": True, "sublinear_tf": True}
    if analyzer == "word":
        options["token_pattern"] = TOKEN_PATTERN
    return TfidfVectorizer(**options)


class _Encoder:
    """Text to feature row, with the vocabularies and idf weights learned in training."""

    def __init__(self, config: dict[str, Any], vocabularies: list[dict[str, int]],
                 idfs: list[np.ndarray], cue_finder: CueFinder) -> None:
        self.analyzers = [
            _vectorizer("word", tuple(config["word_ngrams"])).build_analyzer(),
            _vectorizer("char_wb", tuple(config["char_ngrams"])).build_analyzer(),
        ]
        self.vocabularies = vocabularies
        self.idfs = idfs
        self.offsets = np.cumsum([0] + [len(v) for v in vocabularies]).tolist()
        self.cue_columns = {name: self.offsets[-1] + i for i, name in enumerate(CUE_NAMES)}
        self.width = self.offsets[-1] + len(CUE_NAMES)
        self.cue_finder = cue_finder

    def encode(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indexes and values of the one feature row for `text`."""
        columns: list[int] = []
        values: list[float] = []
        for analyzer, vocabulary, idf, offset in zip(
            self.analyzers, self.vocabularies, self.idfs, self.offsets
        ):
            counts: dict[int, int] = {}
            for gram in analyzer(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            weights = {i: (1.0 + math.log(n)) * float(idf[i]) for i, n in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for index, weight in weights.items():
                columns.append(offset + index)
                values.append(weight / norm)
        for cue in self.cue_finder.cues(text):
            columns.append(self.cue_columns[cue])
            values.append(1.0)
        return np.asarray(columns, dtype=np.int64), np.asarray(values, dtype=np.float64)

    def matrix(self, texts: list[str]) -> scipy.sparse.csr_matrix:
        rows, columns, values = [], [], []
        for row, text in enumerate(texts):
            row_columns, row_values = self.encode(text)
            rows.extend([row] * len(row_columns))
            columns.extend(row_columns.tolist())
            values.extend(row_values.tolist())
        return scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(texts), self.width))


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
        self._encoder: _Encoder | None = None
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
        vocabularies, idfs = [], []
        for analyzer, ngrams in (("word", "word_ngrams"), ("char_wb", "char_ngrams")):
            vectorizer = _vectorizer(analyzer, tuple(self._config[ngrams])).fit(texts)
            vocabularies.append({gram: int(i) for gram, i in vectorizer.vocabulary_.items()})
            idfs.append(vectorizer.idf_.astype(np.float64))
        self._encoder = _Encoder(self._config, vocabularies, idfs, self._cue_finder)
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
        component._encoder = _Encoder(component._config, model["vocabularies"],
                                      [arrays["idf_word"], arrays["idf_char"]],
                                      component._cue_finder)
        return component

    def predict(self, text: Any) -> list[tuple[str, float]]:
        """(intent, confidence) pairs, most likely first; empty before training."""
        if self._encoder is None:
            return []
        columns, values = self._encoder.encode(clip(text))
        scores = self._coef[:, columns] @ values + self._intercept
        if len(self._classes) == 2:  # liblinear keeps one row for two classes
            positive = 1.0 / (1.0 + math.exp(-float(scores[0])))
            probabilities = np.array([1.0 - positive, positive])
        else:
            probabilities = 1.0 / (1.0 + np.exp(-scores))
            probabilities /= probabilities.sum()
        order = np.argsort(-probabilities, kind="stable")
        return [(self._classes[i], float(probabilities[i])) for i in order]

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
