"""The sentence encoder: meaning beyond shared words, one encoding per message, cached training vectors."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.sentence_encoder import DIMENSIONS, SentenceEncoder, VectorCache, shared_encoder


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return shared_encoder()


def test_vectors_are_unit_length_and_one_per_text(encoder):
    vectors = encoder.encode(["hi", "my router keeps restarting on its own", ""])
    assert vectors.shape == (3, DIMENSIONS)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-4)


def test_the_same_problem_in_other_words_is_closer_than_another_topic(encoder):
    router, box, price = encoder.encode([
        "the router you sent me keeps restarting on its own",
        "that hub reboots itself every twenty minutes",
        "how much is your cheapest sim only plan",
    ])
    assert float(router @ box) > float(router @ price) + 0.1


def test_batched_and_single_encodings_agree(encoder):
    texts = ["a short one", "a much longer message about the broadband dropping every evening"]
    batched = encoder.encode(texts)
    for text, row in zip(texts, batched):
        assert encoder.vector(text) == pytest.approx(row, abs=1e-4)


class Counting:
    """Wraps the encoder to count what it is asked to encode."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder, self.seen = encoder, []

    def encode(self, texts):
        self.seen.extend(texts)
        return self.encoder.encode(texts)


def test_a_retrain_encodes_only_new_training_texts(encoder, tmp_path):
    first = Counting(encoder)
    vectors = VectorCache(tmp_path).encode(first, ["hello", "bill too high", "hello"])
    assert sorted(first.seen) == ["bill too high", "hello"]
    again = Counting(encoder)
    cached = VectorCache(tmp_path).encode(again, ["bill too high", "hello", "no signal"])
    assert again.seen == ["no signal"]
    assert cached[0] == pytest.approx(vectors[1]) and cached[1] == pytest.approx(vectors[0])


def test_a_damaged_cache_file_only_means_encoding_again(encoder, tmp_path):
    cache = VectorCache(tmp_path)
    cache.path.write_bytes(b"not an npz file")
    counting = Counting(encoder)
    vectors = cache.encode(counting, ["hello"])
    assert counting.seen == ["hello"] and vectors.shape == (1, DIMENSIONS)
