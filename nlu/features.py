"""Text to sparse feature rows for the linear classifiers: TF-IDF n-grams plus fixed cues.

The intent classifier and the complaint classifier both turn a message into word uni/
bigrams and char_wb n-grams, lower-cased TF-IDF with sublinear tf and L2 norm (as
scikit-learn's TfidfVectorizer computes them), followed by one column per rule cue. The
vocabularies and idf weights are learned in training and stored as JSON and arrays, so
encoding at parse time is a few dictionary lookups, with no scikit-learn objects kept.

With a sentence encoder (nlu/sentence_encoder.py), each row also carries the message's
dense vector, scaled by `dense_weight`, after the cue columns: the n-grams keep the exact
words, the vector what the message means when its words are new. Messages shorter than
DENSE_MIN_WORDS words ("yes", "Ann", "no rush") get no vector, in training and at parse
time alike: their few words say it all, and encoding them would cost the engine about 5 ms
of CPU each for nothing.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.sentence_encoder import DIMENSIONS, SentenceEncoder, VectorCache

DENSE_MIN_WORDS = 3


def wants_vector(text: str) -> bool:
    return len(text.split()) >= DENSE_MIN_WORDS

# Words are runs of anything but whitespace and light punctuation, so "ann@x.com",
# "£40" and "fibre-500" stay whole.
TOKEN_PATTERN = r"[^\s.,!?;:()\"']+"


def vectorizer(analyzer: str, ngrams: tuple[int, int]) -> TfidfVectorizer:
    options: dict[str, Any] = {"analyzer": analyzer, "ngram_range": ngrams,
                               "lowercase": True, "sublinear_tf": True}
    if analyzer == "word":
        options["token_pattern"] = TOKEN_PATTERN
    return TfidfVectorizer(**options)


def fit_vocabularies(config: dict[str, Any], texts: list[str]
                     ) -> tuple[list[dict[str, int]], list[np.ndarray]]:
    """The word and char vocabularies and idf weights learned from `texts`."""
    vocabularies, idfs = [], []
    for analyzer, ngrams in (("word", "word_ngrams"), ("char_wb", "char_ngrams")):
        fitted = vectorizer(analyzer, tuple(config[ngrams])).fit(texts)
        vocabularies.append({gram: int(i) for gram, i in fitted.vocabulary_.items()})
        idfs.append(fitted.idf_.astype(np.float64))
    return vocabularies, idfs


class Encoder:
    """Text to feature row, with the vocabularies and idf weights learned in training."""

    def __init__(self, config: dict[str, Any], vocabularies: list[dict[str, int]],
                 idfs: list[np.ndarray], cue_names: Sequence[str],
                 cues: Callable[[str], Iterable[str]],
                 dense: SentenceEncoder | None = None, dense_weight: float = 0.0) -> None:
        self.analyzers = [
            vectorizer("word", tuple(config["word_ngrams"])).build_analyzer(),
            vectorizer("char_wb", tuple(config["char_ngrams"])).build_analyzer(),
        ]
        self.vocabularies = vocabularies
        self.idfs = idfs
        self.offsets = np.cumsum([0] + [len(v) for v in vocabularies]).tolist()
        self.cue_columns = {name: self.offsets[-1] + i for i, name in enumerate(cue_names)}
        self.cues = cues
        self.dense = dense
        self.dense_weight = dense_weight
        self.dense_offset = self.offsets[-1] + len(cue_names)
        self.width = self.dense_offset + (DIMENSIONS if dense else 0)

    def encode(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indexes and values of the one feature row for `text`."""
        columns, values = self._sparse(text)
        if self.dense is None or not wants_vector(text):
            return columns, values
        vector = self.dense.vector(text) * self.dense_weight
        return (np.concatenate([columns, np.arange(self.dense_offset, self.width)]),
                np.concatenate([values, vector.astype(np.float64)]))

    def _sparse(self, text: str) -> tuple[np.ndarray, np.ndarray]:
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
        for cue in self.cues(text):
            columns.append(self.cue_columns[cue])
            values.append(1.0)
        return np.asarray(columns, dtype=np.int64), np.asarray(values, dtype=np.float64)

    def matrix(self, texts: list[str]) -> scipy.sparse.csr_matrix:
        """The feature rows of a training set (dense vectors encoded in batches, cached)."""
        rows, columns, values = [], [], []
        for row, text in enumerate(texts):
            row_columns, row_values = self._sparse(text)
            rows.extend([row] * len(row_columns))
            columns.extend(row_columns.tolist())
            values.extend(row_values.tolist())
        sparse = scipy.sparse.csr_matrix((values, (rows, columns)),
                                         shape=(len(texts), self.dense_offset))
        if self.dense is None:
            return sparse
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        long = [i for i, text in enumerate(texts) if wants_vector(text)]
        if long:
            vectors[long] = VectorCache().encode(self.dense, [texts[i] for i in long])
        vectors *= self.dense_weight
        return scipy.sparse.hstack([sparse, scipy.sparse.csr_matrix(vectors)], format="csr")


def ranking(classes: list[str], coef: np.ndarray, intercept: np.ndarray,
            row: tuple[np.ndarray, np.ndarray]) -> list[tuple[str, float]]:
    """(class, probability) pairs of a one-vs-rest liblinear model, most likely first."""
    columns, values = row
    scores = coef[:, columns] @ values + intercept
    if len(classes) == 2:  # liblinear keeps one row for two classes
        positive = 1.0 / (1.0 + math.exp(-float(scores[0])))
        probabilities = np.array([1.0 - positive, positive])
    else:
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        probabilities /= probabilities.sum()
    order = np.argsort(-probabilities, kind="stable")
    return [(classes[i], float(probabilities[i])) for i in order]
