"""One tokenizer and one set of rule finders per process, shared by the components.

The intent cues (nlu/cues.py) and the pattern extractor (nlu/pattern_extractor.py) run
the same four finders (contacts, money, timeframes, fact keys) over the same message, and
the catalogue extractor tokenizes with the same pipeline. Building a pipeline costs about
200 ms, and running the finders is most of the extractors' time, so:

- `shared_nlp()` is the one `build_nlp()` pipeline of the process. Nothing changes it
  after it is built (no special cases, no components); the matchers only add strings and
  lexemes to its vocabulary, which every pipeline does as it reads text.
- `rule_finders(currency, country_code)` is the one `RuleFinders` for those defaults.
  They only change the values of money and phone entities, never which spans are found.
- `RuleFinders.find(text, day)` remembers its last answer, so when the cues and the
  extractor both ask about one message, the finders run once.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from nlu import timeframe
from nlu.contacts import ContactFinder
from nlu.fact_keys import FactKeyFinder
from nlu.money import MoneyFinder, deployment_currency
from nlu.text import Found, build_nlp


@lru_cache(maxsize=None)
def shared_nlp() -> Language:
    """The process's blank English pipeline (see `nlu.text.build_nlp`)."""
    return build_nlp()


class Finds(NamedTuple):
    """A clipped message's tokens and everything the finders saw, before de-overlapping."""

    doc: Doc
    found: tuple[Found, ...]


class RuleFinders:
    """The four rule finders over one pipeline, remembering the last message they saw."""

    def __init__(self, nlp: Language, default_currency: str = "GBP",
                 default_country_code: str = "44") -> None:
        self.nlp = nlp
        self.contacts = ContactFinder(nlp, default_country_code)
        self.money = MoneyFinder(nlp, default_currency)
        self.timeframes = timeframe.TimeframeFinder(nlp)
        self.fact_keys = FactKeyFinder(nlp)
        self._last: tuple[tuple[str, date], Finds] | None = None

    def find(self, text: str, day: date) -> Finds:
        """The finds in `text` (already clipped), timeframes resolved against `day`.

        Contact details come first, then money, timeframes and fact keys: on equal length
        an email beats anything inside it when the caller de-overlaps. The answer for the
        last (text, day) is kept (one tuple, replaced whole, so threads see all of one
        answer or none of it), which lets the second component on a message reuse it.
        """
        key = (text, day)
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        doc = self.nlp.make_doc(text)
        finds = Finds(doc, tuple(self.contacts.find(doc) + self.money.find(doc)
                                 + self.timeframes.find(doc, day) + self.fact_keys.find(doc)))
        self._last = (key, finds)
        return finds


def rule_finders(default_currency: str | None = None,
                 default_country_code: str | int = "44") -> RuleFinders:
    """The shared `RuleFinders` for these defaults, built on `shared_nlp()` the first time.

    Positional and keyword calls land on the same instance, and 44 on the same as "44";
    no currency is the deployment's (`nlu.money.deployment_currency`).
    """
    return _rule_finders(default_currency or deployment_currency(), str(default_country_code))


@lru_cache(maxsize=None)
def _rule_finders(default_currency: str, default_country_code: str) -> RuleFinders:
    return RuleFinders(shared_nlp(), default_currency, default_country_code)
