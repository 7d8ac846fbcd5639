"""The linear intent classifier: learns, ranks, persists without pickles, survives odd input."""

from __future__ import annotations

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.intent_classifier import LinearIntentClassifier

EXAMPLES = {
    "greet": ["hi", "hello", "hey there", "good morning", "hiya"],
    "inform": ["ann@example.com", "07700 900123", "£40 a month", "bob@mail.com", "next week"],
    "complain": ["my broadband keeps dropping", "I was overcharged", "the router is broken",
                 "my bill is wrong", "no signal again"],
}


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def trained(storage) -> LinearIntentClassifier:
    data = TrainingData([Message(data={"text": text, "intent": intent})
                         for intent, texts in EXAMPLES.items() for text in texts])
    classifier = LinearIntentClassifier.create({}, storage, Resource("intents"), None)
    classifier.train(data)
    return classifier


@pytest.mark.parametrize(
    ("text", "intent"),
    [("hello there", "greet"), ("my internet is broken", "complain"),
     ("sam@example.org", "inform"), ("0151 496 0000", "inform")],
)
def test_predicts_the_intent(trained, text, intent):
    [message] = trained.process([Message(data={"text": text})])
    assert message.get("intent")["name"] == intent
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking][0] == intent
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_a_loaded_model_predicts_the_same_and_holds_no_pickles(trained, storage, tmp_path):
    loaded = LinearIntentClassifier.load({}, storage, Resource("intents"), None)
    for text in ["hey", "broken router", "me@x.com", "something else entirely"]:
        assert loaded.predict(text) == pytest.approx(trained.predict(text))
    with storage.read_from(Resource("intents")) as directory:
        assert sorted(path.name for path in directory.iterdir()) == ["model.json", "weights.npz"]


def test_an_untrained_classifier_leaves_messages_alone(storage):
    classifier = LinearIntentClassifier.load({}, storage, Resource("missing"), None)
    [message] = classifier.process([Message(data={"text": "hi"})])
    assert message.get("intent") is None


@pytest.mark.parametrize("text", ["", None, "🙂" * 50, "<b>hi</b>", "x" * 10_000, "\ud800"])
def test_odd_input_still_gets_a_ranked_intent(trained, text):
    [message] = trained.process([Message(data={"text": text})])
    assert message.get("intent")["name"] in EXAMPLES
