"""Finds contact details and references: `email`, `phone` and `order_ref`.

Values:
- email: the address as typed ("ann.lee@example.co.uk").
- phone: E.164 ("+441514960000"). Numbers written the UK national way ("0151 496 0000",
  "07700 900123") get the default country code; "+353 85 ..." and "0033 1 ..." keep theirs.
  A "(0)" after the country code is dropped. additional_info: {"raw": what was typed}.
- order_ref: the reference upper-cased without a leading "#" ("A-99812", "NW-123456",
  "12345"). Bare digits count only after a cue word ("order 12345", "ref no. 881234");
  letters-dash-digits ("NW-123456") and "#"-prefixed references count anywhere. After a
  cue, letters and digits typed apart ("order nw 559031") are one reference, "NW-559031".
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from nlu.text import MAX_MATCHES, Found, without_overlaps

# A phone number starts with "+", "0" or "(" and continues with digit groups and separators.
_PHONE_START = re.compile(r"^(\+\d{1,15}|0\d{0,10}|\()$")
_PHONE_PART = re.compile(r"^(\+\d{1,15}|\d{1,11}|[()\-.])$")
MAX_PHONE_TOKENS = 12
_REFERENCE = re.compile(r"^[A-Za-z]{0,4}-?\d{3,12}(-\d{1,6})?$")
_LETTERED_REFERENCE = re.compile(r"^[A-Za-z]{1,4}-?\d{4,12}(-\d{1,6})?$")
REF_CUES = ["order", "orders", "ref", "reference", "ticket", "case", "complaint", "invoice",
            "booking", "account"]
REF_FILLERS = ["number", "no", "no.", "num", "nr", "#", ":", "is", "id", "ref", "reference"]


class ContactFinder:
    """Emails, phone numbers and order references in a tokenized message."""

    def __init__(self, nlp: Language, default_country_code: str = "44") -> None:
        self.country_code = default_country_code
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("EMAIL", [[{"LIKE_EMAIL": True}]])
        reference = {"TEXT": {"REGEX": _REFERENCE.pattern}}
        filler = {"LOWER": {"IN": REF_FILLERS}, "OP": "*"}
        self.matcher.add("REF_CUED", [[{"LOWER": {"IN": REF_CUES}}, filler, reference]])
        self.matcher.add("REF_HASH", [[{"ORTH": "#"}, reference]])
        self.matcher.add("REF_LETTERED", [[{"TEXT": {"REGEX": _LETTERED_REFERENCE.pattern}}]])
        self.matcher.add("REF_SPLIT", [[
            {"LOWER": {"IN": REF_CUES}}, filler,
            {"TEXT": {"REGEX": r"^[A-Za-z]{1,4}$"}, "LOWER": {"NOT_IN": REF_FILLERS}},
            {"TEXT": {"REGEX": r"^\d{4,12}$"}}]])

    def find(self, doc: Doc) -> list[Found]:
        found = []
        for match_id, start, end in self.matcher(doc)[:MAX_MATCHES]:
            label = doc.vocab.strings[match_id]
            span = doc[start:end]
            if label == "EMAIL":
                found.append(Found("email", span.start_char, span.end_char, span.text))
            else:
                token = doc[end - 1]
                if label == "REF_LETTERED" and not any(char.isalpha() for char in token.text):
                    continue
                first = doc[end - 2] if label in ("REF_HASH", "REF_SPLIT") else token
                value = token.text.upper()
                if label == "REF_SPLIT":
                    value = f"{first.text.upper()}-{value}"
                found.append(Found("order_ref", first.idx, token.idx + len(token.text), value))
        return without_overlaps(found + self._phones(doc))

    def _phones(self, doc: Doc) -> list[Found]:
        """Phone numbers: the longest valid stretch of phone-like tokens from each start.

        A linear scan rather than a Matcher "+" pattern, whose matches grow with the
        square of a run of digits.
        """
        found: list[Found] = []
        index = 0
        while index < len(doc) and len(found) < MAX_MATCHES:
            if not _PHONE_START.match(doc[index].text):
                index += 1
                continue
            end = index
            while end < len(doc) and end - index < MAX_PHONE_TOKENS and _PHONE_PART.match(
                    doc[end].text):
                end += 1
            digits = [sum(char.isdigit() for char in doc[i].text) for i in range(index, end)]
            # Only stretches with a plausible count of digits are worth parsing.
            stops = [stop for stop in range(end, index, -1)
                     if 7 <= sum(digits[:stop - index]) <= 17]
            phone = next((p for p in (self._phone(doc, index, stop) for stop in stops) if p),
                         None)
            if phone is None:
                index += 1
                continue
            found.append(phone)
            index = doc.char_span(phone.start, phone.end, alignment_mode="expand").end

        return found

    def _phone(self, doc: Doc, start: int, end: int) -> Found | None:
        # Trim separators the pattern took at either end ("(0151) 496 0000 -").
        while end > start and not doc[end - 1].text[-1:].isdigit():
            end -= 1
        if start < end and doc[start].text == "(" and ")" not in doc[start:end].text:
            start += 1
        if start >= end:
            return None
        span = doc[start:end]
        pieces = [token.text for token in span]
        raw = span.text
        if raw.startswith("+") or raw.startswith("00"):
            country_prefix = pieces[0].lstrip("+")
            rest = "".join(pieces[1:])
            # "+44 (0)151 ...": the trunk 0 in brackets is not dialled from abroad.
            rest = re.sub(r"^\(0\)", "", rest)
            digits = re.sub(r"\D", "", country_prefix + rest)
            if raw.startswith("00"):
                digits = digits[2:]
            number = "+" + digits
            if not 8 <= len(digits) <= 15:
                return None
        else:
            digits = re.sub(r"\D", "", raw)
            if not (digits.startswith("0") and len(digits) in (10, 11)):
                return None
            number = f"+{self.country_code}{digits[1:]}"
        return Found("phone", span.start_char, span.end_char, number, {"raw": raw})
