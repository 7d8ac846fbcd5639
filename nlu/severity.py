"""Finds how badly a problem affects the customer: severity `low`, `medium` or `high`.

- high: the service cannot be used or the customer cannot work: "can't work", "completely
  down", "no internet", "no service at all", "urgent", "for three days", "all week";
- medium: it keeps happening: "keeps dropping", "every evening", "again", "regularly",
  "on and off", "it comes and goes";
- low: "minor", "a bit", "slightly", "not a big deal", "just annoying", "can live with it".

Phrases (a PhraseMatcher on lower-cased tokens) and a few token patterns (a Matcher).
The most severe level found wins; its entity spans the first to the last phrase of that
level. Whether to report it at all is the extractor's decision (nlu/name_severity_extractor.py):
only for a problem, or a message that is mostly the answer.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from nlu.text import MAX_MATCHES, Found, without_overlaps

LEVELS = ("low", "medium", "high")

_PHRASES = {
    "high": """
        can't work|cant work|can not work|cannot work|unable to work|can't do my job|
        cant do my job|cannot do my job|can't do any work|cant do any work|can't work at all|
        can't use it|cant use it|cannot use it|can't use|cant use|unusable|useless|
        completely down|totally down|down|is down|went down|gone down|
        no service|no internet|no signal|no connection|no broadband|no wifi|no wi-fi|
        no network|no coverage|no dial tone|no tv|no calls|no data|no service at all|
        not working at all|doesn't work at all|doesnt work at all|does not work at all|
        not work at all|nothing works|dead|completely dead|
        urgent|urgently|emergency|critical|desperate|really bad|very bad|pretty bad|
        extremely bad|terrible|awful|a nightmare|nightmare|disaster|impossible|
        for days|for weeks|all week|all weekend|since last week|over a week|for a week|
        work from home|working from home|wfh|lost my job|losing money|lose money|
        i can't work|can't get online|cant get online|can't get any|nothing at all|
        stopped working|not working|isnt working|isn't working|doesnt work|doesn't work|
        won't work|wont work|won't connect|wont connect|can't connect|cant connect|off completely
    """,
    "medium": """
        again|keeps happening|keep happening|every day|every night|every evening|
        every morning|every afternoon|every week|every hour|every time|everyday|
        every few minutes|every few mins|every few hours|every few days|all the time|
        regularly|constantly|frequently|often|on and off|off and on|comes and goes|
        come and go|intermittent|intermittently|daily|nightly|most days|most evenings|
        most nights|several times|a few times|many times|loads of times|repeatedly|
        whenever|each time|each day|each night|time after time|over and over|
        quite bad|bad|inconvenient|a pain|a real pain|quite annoying|really annoying|
        very annoying|frustrating|happens a lot|a lot|in the evenings|at night|
        third time|second time|fourth time|once a day|twice a day|twice a week
    """,
    "low": """
        minor|a bit|a little|a little bit|slightly|mildly|only a bit|just a bit|
        not a big deal|no big deal|not a huge deal|not a big problem|not a big issue|
        not too bad|not that bad|not so bad|not at all|not much|not urgent|no rush|
        annoying|just annoying|its just annoying|it's just annoying|bit annoying|
        a bit annoying|slightly annoying|can live with it|i can live with it|
        i can manage|can manage|manageable|small issue|small problem|tiny|nothing serious|
        not serious|a minor thing|bit of a pain|bearable|tolerable|fine mostly|mostly fine|
        mostly ok|it's fine|its fine|barely noticeable|hardly
    """,
}
# The token patterns: "keeps dropping", "kept cutting out", "for 3 days", "for two weeks".
_DURATION_NUMBERS = ["two", "three", "four", "five", "six", "several", "a", "few", "many"]
_PATTERNS = {
    "medium": [[{"LOWER": {"IN": ["keeps", "keep", "kept", "constantly", "always"]}},
                {"LOWER": {"REGEX": r"^[a-z]+ing$"}}]],
    "high": [
        [{"LOWER": {"IN": ["for", "over", "nearly", "almost"]}},
         {"LOWER": {"IN": _DURATION_NUMBERS}, "OP": "?"},
         {"LIKE_NUM": True, "OP": "?"},
         {"LOWER": {"IN": ["days", "weeks", "months"]}}],
        [{"LOWER": "since"}, {"LOWER": {"IN": ["last", "early"]}},
         {"LOWER": {"IN": ["week", "month", "weekend"]}}],
    ],
}
# "again" after these is talk, not a problem coming back: "hi again", "thanks again".
_TALK_BEFORE_AGAIN = frozenset(
    "hi hello hey hiya thanks thank you try say ask back see do me it that".split()
)
# "a bit more data", "a little cheaper": a request, not how badly something hurts.
_NOT_AFTER_A_BIT = frozenset(
    "more less cheaper faster slower quicker extra longer of bigger better higher lower".split()
)


class SeverityFinder:
    """The severity a message states, as at most one entity."""

    def __init__(self, nlp: Language) -> None:
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns = Matcher(nlp.vocab)
        for level, text in _PHRASES.items():
            phrases = [p.strip() for p in text.replace("\n", "").split("|") if p.strip()]
            self.phrases.add(level, [nlp.make_doc(phrase) for phrase in phrases])
        for level, patterns in _PATTERNS.items():
            self.patterns.add(level, patterns)
        self.names = {nlp.vocab.strings[level]: level for level in LEVELS}

    def find(self, doc: Doc) -> list[Found]:
        found = []
        matches = list(self.phrases(doc)[:MAX_MATCHES]) + list(self.patterns(doc)[:MAX_MATCHES])
        for match_id, start, end in matches:
            if not self._is_talk(doc, start, end):
                span = doc[start:end]
                found.append(Found("severity", span.start_char, span.end_char,
                                   self.names[match_id]))
        # The longest phrase wins: "not too bad" is low, though "bad" inside it is medium.
        kept = without_overlaps(found)
        for level in reversed(LEVELS):
            spans = [item for item in kept if item.value == level]
            if spans:
                return [Found("severity", min(item.start for item in spans),
                              max(item.end for item in spans), level)]
        return []

    @staticmethod
    def _is_talk(doc: Doc, start: int, end: int) -> bool:
        words = [token.lower_ for token in doc[start:end]]
        before = doc[start - 1].lower_ if start > 0 else ""
        after = doc[end].lower_ if end < len(doc) else ""
        if words == ["again"]:
            return before in _TALK_BEFORE_AGAIN
        if words in (["a", "bit"], ["a", "little"], ["a", "little", "bit"], ["a", "lot"]):
            return after in _NOT_AFTER_A_BIT or before in ("thanks", "thank", "like", "love")
        if words[:1] == ["not"] and before in ("i'm", "im", "am"):
            return True
        return False
