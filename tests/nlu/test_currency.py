"""One currency setting: bare amounts are in the deployment's RAPPORT_CURRENCY (GBP unless set)."""

from __future__ import annotations

import pytest
from rasa.shared.exceptions import InvalidConfigException

from nlu.cues import CueFinder
from nlu.finders import rule_finders
from nlu.pattern_extractor import PatternEntityExtractor


def money(extractor: PatternEntityExtractor, text: str) -> list[str]:
    return [e["value"] for e in extractor.extract(text) if e["entity"] == "money"]


def test_bare_amounts_are_pounds_unless_the_deployment_says_otherwise(monkeypatch, fixed_today):
    monkeypatch.delenv("RAPPORT_CURRENCY", raising=False)
    assert money(PatternEntityExtractor.create({}, None, None, None),
                 "about 30 a month") == ["30 GBP/month"]
    monkeypatch.setenv("RAPPORT_CURRENCY", "eur")
    euro = PatternEntityExtractor.create({}, None, None, None)
    assert money(euro, "about 30 a month") == ["30 EUR/month"]
    assert money(euro, "no more than £25 per month") == ["25 GBP/month"]  # said, so kept
    # The intent cues follow the same setting, so they still share the extractor's finders.
    assert CueFinder().finders is euro.finders is rule_finders()


def test_the_component_config_still_wins(monkeypatch, fixed_today):
    monkeypatch.setenv("RAPPORT_CURRENCY", "EUR")
    dollars = PatternEntityExtractor.create({"default_currency": "USD"}, None, None, None)
    assert money(dollars, "under 40 a month") == ["40 USD/month"]


@pytest.mark.parametrize("bad", ["EURO", "E1", "€"])
def test_a_bad_setting_stops_the_engine_with_its_name(monkeypatch, bad):
    monkeypatch.setenv("RAPPORT_CURRENCY", bad)
    with pytest.raises(InvalidConfigException, match="RAPPORT_CURRENCY"):
        PatternEntityExtractor.create({}, None, None, None)


async def test_the_trained_model_reads_the_setting_when_it_is_loaded(
    trained_model, monkeypatch, fixed_today
):
    from rasa.core.agent import Agent

    monkeypatch.setenv("RAPPORT_CURRENCY", "EUR")
    agent = Agent.load(str(trained_model))  # trained without the setting
    parse = await agent.parse_message("my budget is about 30 a month")
    assert [e["value"] for e in parse["entities"] if e["entity"] == "money"] == ["30 EUR/month"]
