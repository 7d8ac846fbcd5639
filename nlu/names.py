"""Finds the customer's own first name when they introduce or correct themselves.

"Hi, I'm Ahmed", "my name is maria", "im grace", "this is Tom", "Jon here", "call me Bea",
"sorry, it's John with an h", "it's Anna not Ana". The word after an introduction is a
name only when it could be one: alphabetic, not in the lexicon of everyday words in
nlu/name_words.py ("I'm looking", "I'm not happy", "I'm with Northwind", "it's broken"),
and not an -ing or -ed word. The weaker introductions ("it's X", "this is X", "X here",
"I meant X") also need the word capitalised, a correction in the message ("sorry", "not",
"with an h"), or a message of at most four words. A message that is one capitalised
unknown word ("Fatima") is taken as a name too, unless `single_word` is off.

The value is the name as a name is written: "maria" becomes "Maria", "McKenzie" stays.
At most one name per message: the first introduction that qualifies.
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

from nlu.name_words import ED_NAMES, NON_NAMES
from nlu.text import Found

# Introductions, as sequences of normalised tokens, with whether they are strong.
_STRONG = (
    ("my", "first", "name", "is"), ("my", "first", "name", "'s"), ("my", "first", "names"),
    ("first", "name", "is"), ("i", "go", "by"), ("my", "name", "is"), ("my", "name", "'s"), ("my", "names"), ("the", "name", "is"),
    ("the", "name", "'s"), ("name", "'s"), ("name", "is"), ("call", "me"),
    ("i", "am", "called"), ("i", "'m", "called"), ("im", "called"), ("i", "m", "called"),
    ("i", "am"), ("i", "'m"), ("im",),
    ("i", "m"), ("it", "'s", "me"), ("its", "me"),
)
_WEAK = (
    ("it", "'s"), ("its",), ("it", "is"), ("this", "is"), ("i", "meant"), ("meant",),
    ("should", "be"), ("spelled",), ("spelt",),
)
_CLAUSE_OPENERS = frozenset(
    "hi hello hey hiya heya morning evening afternoon sorry no oh oops actually yes yeah "
    "ok okay wait and but so well right hmm um erm sry apologies".split()
)
_CORRECTION_WORDS = frozenset(
    "sorry sry not no actually meant mean spelled spelt spelling typo oops wrong "
    "correction misspelt misspelled".split()
)
# Greetings a message may open with ("Hi, Anil.") and sign-offs it may close with
# ("Thanks, Gillian"): a capitalised name right after one is the customer's.
_GREETINGS = frozenset("hi hello hey hiya heya morning evening afternoon".split())
_SIGN_OFFS = (("thanks",), ("thank", "you"), ("many", "thanks"), ("cheers",), ("regards",),
              ("kind", "regards"), ("best", "regards"), ("best",), ("thx",), ("ta",),
              ("sincerely",), ("faithfully",), ("yours",), ("best", "wishes"), ("rgds",),
              ("warm", "regards"), ("kindest", "regards"))
# "with an h", "with a k", "with two ls": a spelling correction.
_SPELLING_AFTER_WITH = frozenset({"a", "an", "one", "two", "double"})


def _norm(token: Token) -> str:
    return token.lower_.replace("\u2019", "'")


def _could_be_name(token: Token) -> bool:
    word = _norm(token)
    if not token.is_alpha or len(word) < 2 or word in NON_NAMES:
        return False
    if len(word) > 4 and word.endswith("ing"):
        return False
    return not (len(word) > 4 and word.endswith("ed") and word not in ED_NAMES)


def as_name(text: str) -> str:
    """'maria' -> 'Maria', 'MARIA' -> 'Maria', 'McKenzie' -> 'McKenzie'."""
    if text.islower() or text.isupper():
        return text[:1].upper() + text[1:].lower()
    return text[:1].upper() + text[1:]


class FirstNameFinder:
    """The customer's own first name in a message, if they give one."""

    def __init__(self, single_word: bool = True) -> None:
        self.single_word = single_word

    def find(self, doc: Doc) -> list[Found]:
        words = [token for token in doc if not (token.is_punct or token.is_space)]
        if not words:
            return []
        if len(words) == 1:
            lone = words[0]
            if self.single_word and lone.is_title and _could_be_name(lone):
                return [self._found(lone)]
            return []
        norms = [_norm(token) for token in doc]
        greeted = self._greeted(doc, norms) or self._signed(doc, norms)
        if greeted is not None:
            return [self._found(greeted)]
        correction = self._is_correction(doc, norms)
        for index in range(len(doc)):
            candidate = self._after_introduction(doc, norms, index, correction, len(words))
            if candidate is None:
                candidate = self._before_here(doc, norms, index, len(words))
            if candidate is not None:
                return [self._found(candidate)]
        return []

    def _after_introduction(self, doc: Doc, norms: list[str], index: int,
                            correction: bool, word_count: int) -> Token | None:
        for phrases, strong in ((_STRONG, True), (_WEAK, False)):
            for phrase in phrases:
                end = index + len(phrase)
                if end >= len(doc) or tuple(norms[index:end]) != phrase:
                    continue
                candidate = doc[end]
                if not _could_be_name(candidate) or self._possessive(doc, end):
                    return None
                if strong:
                    return candidate
                if not self._opens_clause(doc, norms, index):
                    return None
                if candidate.is_title or correction or word_count <= 4:
                    return candidate
                # "hi this is ruth, my internet is slow": an introduction at the start of
                # the message, the name closing its clause.
                if self._starts_message(norms, index) and self._closes_clause(doc, end):
                    return candidate
                return None
        return None

    def _before_here(self, doc: Doc, norms: list[str], index: int,
                     word_count: int) -> Token | None:
        """'Jon here', 'hello, Priya here', 'Oscar is my name': a name opening its clause."""
        after = tuple(norms[index + 1:index + 4])
        if after[:1] not in (("here",), ("speaking",)) and after != ("is", "my", "name"):
            return None
        candidate = doc[index]
        if not _could_be_name(candidate) or not self._opens_clause(doc, norms, index):
            return None
        return candidate if candidate.is_title or word_count <= 3 else None

    @staticmethod
    def _opens_clause(doc: Doc, norms: list[str], index: int) -> bool:
        return index == 0 or doc[index - 1].is_punct or norms[index - 1] in _CLAUSE_OPENERS

    @staticmethod
    def _greeted(doc: Doc, norms: list[str]) -> Token | None:
        """'Hi, Anil.' / 'hello Priya!': a greeting, then a capitalised name ending the clause."""
        if len(doc) < 3 or norms[0] not in _GREETINGS:
            return None
        index = 2 if doc[1].text == "," else 1
        if index + 1 >= len(doc) or doc[index + 1].text not in (",", ".", "!", "-"):
            return None
        candidate = doc[index]
        return candidate if candidate.is_title and _could_be_name(candidate) else None

    @staticmethod
    def _signed(doc: Doc, norms: list[str]) -> Token | None:
        """'... Thanks, Gillian' / '... Regards, Margaret Hughes': a sign-off, then a
        capitalised name (the first of a full name)."""
        words = [i for i, token in enumerate(doc) if not (token.is_punct or token.is_space)]
        if len(words) < 3:
            return None
        name_at = len(words) - 1
        if (len(words) >= 4 and doc[words[-1]].is_title and doc[words[-2]].is_title
                and _could_be_name(doc[words[-2]])):
            name_at = len(words) - 2  # "Margaret Hughes": the first name
        first = doc[words[name_at]]
        if not (first.is_title and _could_be_name(first)):
            return None
        before = tuple(norms[i] for i in words[:name_at])
        return first if any(before[-len(s):] == s for s in _SIGN_OFFS) else None

    @staticmethod
    def _starts_message(norms: list[str], index: int) -> bool:
        return all(norm in _CLAUSE_OPENERS or not norm.isalpha() for norm in norms[:index])

    @staticmethod
    def _closes_clause(doc: Doc, index: int) -> bool:
        return index + 1 == len(doc) or doc[index + 1].text in (",", ".", "!", ";", "-")

    @staticmethod
    def _possessive(doc: Doc, index: int) -> bool:
        return index + 1 < len(doc) and _norm(doc[index + 1]) in ("'s", "s")

    @staticmethod
    def _is_correction(doc: Doc, norms: list[str]) -> bool:
        if any(word in _CORRECTION_WORDS for word in norms):
            return True
        return any(norms[i] == "with" and norms[i + 1] in _SPELLING_AFTER_WITH
                   for i in range(len(norms) - 1))

    @staticmethod
    def _found(token: Token) -> Found:
        return Found("first_name", token.idx, token.idx + len(token.text), as_name(token.text))
