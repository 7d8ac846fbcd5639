"""One pipeline and one set of rule finders per process, shared without changing any answer."""

from __future__ import annotations

from datetime import date
from unittest import mock

from nlu.catalogue import parse_catalogue
from nlu.catalogue_extractor import CatalogueEntityExtractor
from nlu.cues import CueFinder
from nlu.finders import rule_finders, shared_nlp
from nlu.intent_classifier import LinearIntentClassifier
from nlu.pattern_extractor import PatternEntityExtractor


def test_the_components_share_one_pipeline_and_one_set_of_finders():
    extractor = PatternEntityExtractor.create({}, None, None, None)
    classifier = LinearIntentClassifier.create({}, None, None, None)
    catalogue = parse_catalogue({"categories": {"tv": {"name": "TV"}},
                                 "products": [{"id": "tv-basic", "name": "TV Basic",
                                               "category": "tv", "monthly_price": 10}]})
    products = CatalogueEntityExtractor({}, None, None, catalogue)
    assert extractor.finders is classifier._cue_finder.finders is rule_finders()
    assert rule_finders("GBP", 44) is rule_finders(default_country_code="44")
    assert extractor.finders.nlp is products._matcher.nlp is shared_nlp()


def test_one_run_of_the_finders_serves_both_callers():
    finders = rule_finders()
    calls = []
    original = finders.money.find
    with mock.patch.object(finders.money, "find", side_effect=lambda doc: calls.append(1)
                           or original(doc)), \
            mock.patch("nlu.timeframe.today", return_value=date(2026, 11, 18)):
        text = "budget £30 a month, call 07700 900123 by Friday"
        cues = CueFinder().cues(text)
        entities = PatternEntityExtractor.create({}, None, None, None).extract(text)
    assert len(calls) == 1
    assert {"entity:money", "entity:phone", "entity:timeframe"} <= cues
    assert [e["entity"] for e in entities] == ["money", "phone", "timeframe"]


def test_the_remembered_finds_are_per_day():
    finders = rule_finders()
    first = finders.find("tomorrow", date(2026, 11, 18)).found
    second = finders.find("tomorrow", date(2027, 2, 28)).found
    assert [item.value for item in first + second] == ["2026-11-19", "2027-03-01"]


def test_other_defaults_change_values_only_and_leave_the_cues_alone(fixed_today):
    text = "under 40 a month, ring 0151 496 0000"
    euro = PatternEntityExtractor.create(
        {"default_currency": "EUR", "default_country_code": "353"}, None, None, None)
    assert euro.finders is not rule_finders()
    assert [(e["entity"], e["value"]) for e in euro.extract(text)] == [
        ("money", "40 EUR/month"), ("phone", "+3531514960000")]
    pound = PatternEntityExtractor.create({}, None, None, None)
    assert [e["value"] for e in pound.extract(text)] == ["40 GBP/month", "+441514960000"]
    assert CueFinder(euro.finders).cues(text) == CueFinder().cues(text)


def test_an_entity_shares_no_mutable_info_with_the_remembered_finds(fixed_today):
    extractor = PatternEntityExtractor.create({}, None, None, None)
    [first] = extractor.extract("£30 a month")
    first["additional_info"]["currency"] = "changed downstream"
    [again] = extractor.extract("£30 a month")
    assert again["additional_info"]["currency"] == "GBP"
