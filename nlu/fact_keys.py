"""Finds which profile fact a customer wants to change: "change my email", "I moved to Leeds".

Entity `fact_key`; the value is a fact key of the profile store (memory/facts.yml):
email, phone, first_name, last_name, city, postcode, company, budget, language,
preferred_channel. A word naming a fact counts only when the message is about changing
it (a change word such as "change", "update", "wrong", "new", "moved", "no longer"), so
"what's my email on file?" has no fact_key. Moving house ("I moved to Leeds", "we
relocated", "I live in York now") is a change of `city`; a home address also maps to
`city` because the profile keeps the city and postcode, not street lines. When a
capitalised place follows ("moved to Milton Keynes"), additional_info carries it as
{"new_value": "Milton Keynes"}.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from nlu.text import Found, without_overlaps

FACT_WORDS = {
    "email": ["email", "e-mail", "email address", "e-mail address", "mail address", "e mail"],
    "phone": ["phone", "phone number", "mobile number", "mobile no", "telephone",
              "telephone number", "contact number", "landline", "landline number",
              "cell number", "mobile phone number", "phone no"],
    "first_name": ["name", "first name", "forename", "given name"],
    "last_name": ["surname", "last name", "family name", "second name"],
    "city": ["address", "home address", "city", "town", "postal address"],
    "postcode": ["postcode", "post code", "zip code", "zipcode", "zip"],
    "company": ["company", "company name", "employer", "business name"],
    "budget": ["budget"],
    "language": ["language"],
    "preferred_channel": ["contact preference", "contact preferences", "preferred channel"],
}
# "number" alone is a phone number only in "my number", "new number" and the like.
NUMBER_OWNERS = {"my", "new", "old", "the", "that", "this", "your", "different", "current"}
CHANGE_WORDS = {
    "change", "changed", "changing", "update", "updated", "updating", "correct", "correcting",
    "correction", "fix", "amend", "amended", "edit", "replace", "new", "wrong", "incorrect",
    "old", "outdated", "different", "misspelt", "misspelled", "typo", "moved", "anymore",
    "longer", "switch", "switched", "modify",
}
# How many tokens may stand between a change word and the fact it changes.
WINDOW = 5
CHANGE_PHRASES = [["out", "of", "date"], ["any", "more"], ["is", "now"], ["'s", "now"]]


class FactKeyFinder:
    """The profile facts a message asks to change."""

    def __init__(self, nlp: Language) -> None:
        self.words = PhraseMatcher(nlp.vocab, attr="LOWER")
        for key, phrases in FACT_WORDS.items():
            self.words.add(key, [nlp.make_doc(phrase) for phrase in phrases])
        self.words.add("number", [nlp.make_doc("number")])
        self.moves = Matcher(nlp.vocab)
        # "moving to Leeds" names a new city; "moving house" alone is not a change yet.
        moving = {"LOWER": {"IN": ["moved", "moving", "relocated", "relocating", "move"]}}
        self.moves.add("MOVED", [[moving, {"LOWER": "to"}],
                                 [{"LOWER": "moved"}, {"LOWER": {"IN": ["house", "home"]}}],
                                 [{"LOWER": "relocated"}]])
        self.moves.add("LIVE_NOW", [[{"LOWER": {"IN": ["live", "living", "based"]}},
                                     {"LOWER": "in"}]])
        self.change_phrases = Matcher(nlp.vocab)
        self.change_phrases.add("CHANGE", [[{"LOWER": word} for word in phrase]
                                           for phrase in CHANGE_PHRASES])

    def find(self, doc: Doc) -> list[Found]:
        lowered = {token.lower_ for token in doc}
        change_positions = [token.i for token in doc if token.lower_ in CHANGE_WORDS]
        change_positions += [start for _, start, _ in self.change_phrases(doc)]
        is_change = bool(change_positions)
        found = []
        for match_id, start, end in self.moves(doc):
            label = doc.vocab.strings[match_id]
            if label == "LIVE_NOW" and not (is_change or "now" in lowered):
                continue
            span = doc[start:end]
            place = self._place_after(doc, end)
            found.append(Found("fact_key", span.start_char, span.end_char, "city",
                               {"new_value": place} if place else None))
        if is_change:
            for match_id, start, end in self.words(doc):
                # The change word must be near the fact: "update my email ..., budget £30"
                # changes the email, not the budget.
                if not any(start - WINDOW <= i < end + WINDOW for i in change_positions):
                    continue
                key = doc.vocab.strings[match_id]
                if key == "number":
                    previous = doc[start - 1].lower_ if start > 0 else ""
                    if previous not in NUMBER_OWNERS:
                        continue
                    key = "phone"
                span = doc[start:end]
                found.append(Found("fact_key", span.start_char, span.end_char, key))
        return without_overlaps(found)

    @staticmethod
    def _place_after(doc: Doc, index: int) -> str | None:
        """The capitalised place name right after "moved to" ("Milton Keynes"), if any."""
        words = []
        for token in doc[index:index + 3]:
            if not (token.is_alpha and token.is_title):
                break
            words.append(token.text)
        return " ".join(words) or None
