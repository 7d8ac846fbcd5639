"""first_name and severity by rules: names when customers introduce or correct themselves,
never from "I'm looking for..."; severity only where a problem's impact is stated."""

from __future__ import annotations

import pytest

from nlu.name_severity_extractor import NameSeverityExtractor
from nlu.names import FirstNameFinder, as_name
from nlu.severity import SeverityFinder


@pytest.fixture(scope="module")
def extractor() -> NameSeverityExtractor:
    return NameSeverityExtractor({})


def names(nlp, text: str) -> list[str]:
    return [found.value for found in FirstNameFinder(single_word=False).find(nlp.make_doc(text))]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, I'm Ahmed", "Ahmed"),
        ("my name is maria", "Maria"),
        ("im grace", "Grace"),
        ("this is Tom", "Tom"),
        ("Jon here", "Jon"),
        ("call me Bea", "Bea"),
        ("sorry, it's John with an h", "John"),
        ("it's Anna not Ana", "Anna"),
        ("Hi, I'm Ahmed. I need a new SIM for my daughter, something under 15 a month", "Ahmed"),
        ("hello, Priya here", "Priya"),
        ("my first name is Kofi", "Kofi"),
        ("Oscar is my name", "Oscar"),
        ("my direct debit doubled, please look into it. Regards, Margaret Hughes", "Margaret"),
        ("I would like this resolved promptly. Yours sincerely, Rajesh", "Rajesh"),
        ("the router is dead again. Thanks, Gillian", "Gillian"),
    ],
)
def test_takes_the_name_a_customer_introduces_themselves_with(nlp, text, name):
    assert names(nlp, text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "I'm looking for a new phone", "I'm not happy", "I'm sorry", "I'm with Northwind",
        "I'm in Leeds", "it's broken", "it's about my bill", "I am beyond angry with you",
        "I think this is Tom's phone", "i'm moving house next month", "this is ridiculous",
        "call me back tomorrow", "its just annoying", "Fatima",
    ],
)
def test_everyday_words_after_im_or_its_are_not_names(nlp, text):
    assert names(nlp, text) == []


def test_a_lone_capitalised_word_is_a_name_only_when_asked_for(nlp):
    assert FirstNameFinder(single_word=True).find(nlp.make_doc("Fatima"))[0].value == "Fatima"
    assert FirstNameFinder(single_word=True).find(nlp.make_doc("Broadband")) == []


def test_names_are_written_as_names():
    assert [as_name(n) for n in ("maria", "MARIA", "McKenzie")] == ["Maria", "Maria", "McKenzie"]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("pretty bad, I can't work", "high"),
        ("my internet has been down since yesterday evening and I work from home", "high"),
        ("I've had no signal for three days", "high"),
        ("the router keeps restarting on its own", "medium"),
        ("happens every day", "medium"),
        ("its just annoying", "low"),
        ("not too bad", "low"),
        ("slightly annoying but i can live with it", "low"),
    ],
)
def test_finds_how_badly_it_affects_the_customer(nlp, text, level):
    found = SeverityFinder(nlp).find(nlp.make_doc(text))
    assert [item.value for item in found] == [level]


@pytest.mark.parametrize("text", ["hi again", "i need a bit more data", "thanks a lot"])
def test_talk_is_not_severity(nlp, text):
    assert SeverityFinder(nlp).find(nlp.make_doc(text)) == []


def test_severity_is_given_for_a_problem_not_for_a_feeling_in_passing(extractor):
    problem = [{"entity": "complaint_category", "start": 0, "end": 40, "value": "connection"}]
    text = "the wifi keeps dropping and it is a bit much"
    assert {e["entity"] for e in extractor.extract(text, problem)} == {"severity"}
    assert extractor.extract("what's the fastest plan, I'm a bit fed up of slow wifi",
                             intent="ask_product") == []


def test_entities_are_strings_with_extractor_and_confidence(extractor):
    entity = extractor.extract("hello I'm Grace", intent="greet")[0]
    assert entity == {"entity": "first_name", "start": 10, "end": 15, "value": "Grace",
                      "confidence_entity": 1.0, "extractor": "NameSeverityExtractor"}
