"""The shared linear model: stored as JSON + arrays, and never used with other cue features."""

from __future__ import annotations

import json
import logging

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from nlu.cues import CueFinder
from nlu.linear_model import LinearModel

CONFIG = {"word_ngrams": [1, 2], "char_ngrams": [2, 4], "C": 10.0, "random_state": 42}
TEXTS = ["hi", "hello", "hey there", "my bill is wrong", "charged me twice", "refund please"]
LABELS = ["greet", "greet", "greet", "billing", "billing", "billing"]


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def saved(storage) -> LinearModel:
    model = LinearModel.fit(CONFIG, TEXTS, LABELS, CueFinder().cues)
    model.save(storage, Resource("model"), prefix="test_")
    return model


def test_a_saved_model_loads_and_ranks_the_same(saved, storage):
    loaded = LinearModel.load(CONFIG, storage, Resource("model"), CueFinder().cues,
                              prefix="test_")
    assert loaded.predict("hello again")[0][0] == "greet"
    assert loaded.predict("you charged me twice") == saved.predict("you charged me twice")
    with storage.read_from(Resource("model")) as directory:
        assert sorted(p.name for p in directory.iterdir()) == ["test_model.json",
                                                               "test_weights.npz"]


def test_a_model_trained_with_other_cues_is_not_used(saved, storage, caplog):
    with storage.write_to(Resource("model")) as directory:
        path = directory / "test_model.json"
        stored = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**stored, "cues": stored["cues"][:-1]}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlu.linear_model"):
        loaded = LinearModel.load(CONFIG, storage, Resource("model"), CueFinder().cues,
                                  prefix="test_", name="test classifier")
    assert loaded is None
    assert "test classifier was trained with other cue features" in caplog.text


def test_a_missing_model_is_none_with_a_warning(storage, caplog):
    with caplog.at_level(logging.WARNING, logger="nlu.linear_model"):
        loaded = LinearModel.load(CONFIG, storage, Resource("nothing"), CueFinder().cues,
                                  name="test classifier", untrained="nothing is predicted")
    assert loaded is None
    assert "No trained test classifier in the model; nothing is predicted." in caplog.text


DENSE = {**CONFIG, "dense_weight": 2.0}


def test_a_model_with_sentence_vectors_stores_the_encoder_and_ranks_the_same(storage):
    model = LinearModel.fit(DENSE, TEXTS, LABELS, CueFinder().cues)
    model.save(storage, Resource("dense"), prefix="test_")
    loaded = LinearModel.load(CONFIG, storage, Resource("dense"), CueFinder().cues,
                              prefix="test_")
    assert loaded.encoder.dense is not None and loaded.encoder.dense_weight == 2.0
    ranked, again = model.predict("u took my money twice"), loaded.predict("u took my money twice")
    assert [c for c, _ in ranked] == [c for c, _ in again]
    assert [p for _, p in ranked] == pytest.approx([p for _, p in again])


def test_a_model_trained_with_another_sentence_encoder_is_not_used(storage, caplog):
    LinearModel.fit(DENSE, TEXTS, LABELS, CueFinder().cues).save(
        storage, Resource("dense"), prefix="test_")
    with storage.write_to(Resource("dense")) as directory:
        path = directory / "test_model.json"
        stored = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**stored, "dense": "some-other-encoder"}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlu.linear_model"):
        loaded = LinearModel.load(CONFIG, storage, Resource("dense"), CueFinder().cues,
                                  prefix="test_", name="test classifier")
    assert loaded is None
    assert "another sentence encoder (some-other-encoder)" in caplog.text
