"""The complaint classifier learns categories from block metadata, skips non-problems,
and persists without pickles."""

from __future__ import annotations

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.complaint_classifier import ComplaintCategoryClassifier, category_label

EXAMPLES = {
    ("complain", "billing"): ["you charged me twice", "my bill is wrong", "overcharged again",
                              "refund never came", "the price went up"],
    ("complain", "device"): ["the router is broken", "my phone screen cracked",
                             "the hub keeps restarting", "parcel never arrived", "sim is dead"],
    ("complain", "connection"): ["internet is down", "wifi keeps dropping", "no signal",
                                 "speed is slow", "connection keeps cutting out"],
    ("greet", None): ["hi", "hello", "good morning", "hey there", "hiya"],
    ("ask_product", None): ["how much is fibre 500", "cheapest broadband", "do you sell phones",
                            "what's in the bundle", "fastest plan"],
}


def message(text: str, intent: str, category: str | None) -> Message:
    data = {"text": text, "intent": intent}
    if category:
        data["metadata"] = {"intent": {"complaint_category": category}}
    return Message(data=data)


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def trained(storage) -> ComplaintCategoryClassifier:
    data = TrainingData([message(text, intent, category)
                         for (intent, category), texts in EXAMPLES.items() for text in texts])
    classifier = ComplaintCategoryClassifier.create({}, storage, Resource("complaints"), None)
    classifier.train(data)
    return classifier


def parsed(classifier, text: str, intent: str = "complain", confidence: float = 0.9) -> Message:
    msg = Message(data={"text": text, "intent": {"name": intent, "confidence": confidence}})
    classifier.process([msg])
    return msg


def test_labels_come_from_block_metadata():
    assert category_label(message("x", "complain", "device")) == "device"
    assert category_label(message("x", "greet", None)) == "none"
    assert category_label(message("x", "complain", None)) is None


@pytest.mark.parametrize(("text", "category"),
                         [("you charged me twice, my bill is wrong", "billing"),
                          ("my router is broken", "device"),
                          ("my internet is down again", "connection")])
def test_a_complaint_gets_its_category_over_the_whole_message(trained, text, category):
    entities = parsed(trained, text).get("entities")
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in entities] == [
        ("complaint_category", category, 0, len(text))]
    assert 0.0 < entities[0]["confidence_entity"] <= 1.0
    assert entities[0]["extractor"] == "ComplaintCategoryClassifier"


def test_no_category_for_what_is_not_a_problem(trained):
    assert not parsed(trained, "hello there", intent="inform").get("entities")
    # A confident product question is never classified, whatever its words.
    assert not parsed(trained, "is the router broken often?", intent="ask_product").get("entities")


def test_only_near_certain_out_of_scope_text_goes_unclassified(trained):
    # "my bank card never arrived" is out of domain: no telecom category for it...
    assert not parsed(trained, "parcel never arrived", intent="out_of_scope",
                      confidence=0.95).get("entities")
    # ...but a complaint the intent classifier only suspects is out of scope keeps one.
    doubted = parsed(trained, "parcel never arrived", intent="out_of_scope", confidence=0.6)
    assert [e["value"] for e in doubted.get("entities")] == ["device"]


def test_survives_a_reload(trained, storage):
    loaded = ComplaintCategoryClassifier.load({}, storage, Resource("complaints"), None)
    assert loaded.predict("my bill is wrong") == trained.predict("my bill is wrong")


def test_an_unknown_category_in_the_data_fails_training(storage):
    data = TrainingData([message("broken", "complain", "hardware"), message("hi", "greet", None)])
    classifier = ComplaintCategoryClassifier.create({}, storage, Resource("bad"), None)
    with pytest.raises(ValueError, match="hardware"):
        classifier.train(data)
