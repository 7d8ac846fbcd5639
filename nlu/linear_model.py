"""The linear text classifier behind the intent and complaint classifiers.

Features are those of nlu/features.py (TF-IDF word and char n-grams plus the cues of
nlu/cues.py); the model is scikit-learn's liblinear logistic regression, one-vs-rest
with balanced classes. It is stored in a Rasa model resource as two files and no
pickles: `<prefix>model.json` (classes, vocabularies, cue names) and
`<prefix>weights.npz` (coef, intercept, idf_word, idf_char). A stored model whose cue
names differ from today's CUE_NAMES is not loaded: its cue columns would mean something
else, so it has to be retrained. With `dense_weight` above 0, rows also carry the sentence
encoder's vector (nlu/sentence_encoder.py); model.json names the encoder, and a model
trained with another one is not loaded either.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Iterable

import numpy as np
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from sklearn.linear_model import LogisticRegression

from nlu.cues import CUE_NAMES
from nlu.features import Encoder, fit_vocabularies, ranking
from nlu.sentence_encoder import MODEL_ID, shared_encoder
from nlu.text import clip

logger = logging.getLogger(__name__)

Cues = Callable[[str], Iterable[str]]


class LinearModel:
    """Encoder, classes and one-vs-rest weights; ranks the classes for a text."""

    def __init__(self, encoder: Encoder, classes: list[str], coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.encoder = encoder
        self.classes = classes
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def fit(cls, config: dict[str, Any], texts: list[str], labels: list[str],
            cues: Cues) -> LinearModel:
        """Learn vocabularies, idf weights and the regression from `texts` and `labels`.

        `config` holds word_ngrams, char_ngrams, C, random_state and dense_weight.
        """
        vocabularies, idfs = fit_vocabularies(config, texts)
        weight = float(config.get("dense_weight") or 0.0)
        encoder = Encoder(config, vocabularies, idfs, CUE_NAMES, cues,
                          dense=shared_encoder() if weight else None, dense_weight=weight)
        model = LogisticRegression(
            C=config["C"], solver="liblinear", class_weight="balanced",
            random_state=config["random_state"],
        ).fit(encoder.matrix(texts), labels)
        return cls(encoder, [str(label) for label in model.classes_],
                   model.coef_.astype(np.float64), model.intercept_.astype(np.float64))

    def predict(self, text: Any) -> list[tuple[str, float]]:
        """(class, probability) pairs for `text`, most likely first."""
        return ranking(self.classes, self.coef, self.intercept, self.encoder.encode(clip(text)))

    def save(self, model_storage: ModelStorage, resource: Resource, prefix: str = "") -> None:
        with model_storage.write_to(resource) as directory:
            (directory / f"{prefix}model.json").write_text(json.dumps({
                "classes": self.classes, "vocabularies": self.encoder.vocabularies,
                "cues": list(CUE_NAMES),
                "dense": MODEL_ID if self.encoder.dense else None,
                "dense_weight": self.encoder.dense_weight,
            }, ensure_ascii=False), encoding="utf-8")
            np.savez(directory / f"{prefix}weights.npz", coef=self.coef,
                     intercept=self.intercept, idf_word=self.encoder.idfs[0],
                     idf_char=self.encoder.idfs[1])

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             cues: Cues, prefix: str = "", name: str = "classifier",
             untrained: str = "it predicts nothing") -> LinearModel | None:
        """The model stored by `save`, or None (with a warning) when there is none or it
        was trained with other cue features. `name` and `untrained` word the warning:
        "No trained <name> in the model; <untrained>."."""
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / f"{prefix}model.json").read_text(encoding="utf-8"))
                with np.load(directory / f"{prefix}weights.npz", allow_pickle=False) as weights:
                    arrays = {key: weights[key] for key in weights.files}
        except (ValueError, OSError):
            logger.warning("No trained %s in the model; %s.", name, untrained)
            return None
        if stored["cues"] != list(CUE_NAMES):
            logger.warning("The %s was trained with other cue features; retrain it.", name)
            return None
        if stored.get("dense") not in (None, MODEL_ID):
            logger.warning("The %s was trained with another sentence encoder (%s); retrain it.",
                           name, stored["dense"])
            return None
        dense = shared_encoder() if stored.get("dense") else None
        encoder = Encoder(config, stored["vocabularies"],
                          [arrays["idf_word"], arrays["idf_char"]], CUE_NAMES, cues,
                          dense=dense, dense_weight=float(stored.get("dense_weight") or 0.0))
        return cls(encoder, stored["classes"], arrays["coef"], arrays["intercept"])
