"""Which kind of question a bot reply asks, recognised from the response variations in domain.yml.

The dialogue's wording lives in `domain.yml` (and the studio), so the kinds are read from
it at run time rather than copied here: each variation of a known `utter_ask_*` response
becomes a pattern where a template part such as `{first_name}` matches anything. Matching
ignores case, runs of whitespace and curly quotes. A reply that matches no known response
but ends with a question mark is a question of kind `other`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# Response name -> question kind. Some of these are added by the dialogue rewrite; a name
# missing from domain.yml simply never matches.
KINDS = {
    "utter_ask_first_name": "first_name",
    "utter_ask_email": "email",
    "utter_ask_phone": "phone",
    "utter_ask_need_category": "need_category",
    "utter_ask_need_budget": "need_budget",
    "utter_ask_need_timeframe": "need_timeframe",
    "utter_ask_complaint_category": "complaint_category",
    "utter_ask_complaint_description": "complaint_description",
    "utter_ask_complaint_reference": "complaint_reference",
    "utter_ask_complaint_severity": "complaint_severity",
    "utter_ask_satisfaction": "satisfaction",
    "utter_ask_consent_offers": "consent",
    "utter_confirm_forget": "forget_confirm",
    "utter_ask_improvement": "improvement",
    "utter_ask_fact_value": "fact_value",
}
OTHER = "other"
# A template with fewer literal characters than this would match nearly any reply.
MIN_LITERAL_CHARS = 8
_SLOT = re.compile(r"\{[^{}]*\}")
_ASIDE = re.compile(r"\s*\([^()]*\)\W*$")
_ENDS_ASKING = re.compile(r"\?[^\w?]*$")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def is_question(text: str) -> bool:
    """Ends with a question mark, ignoring a closing aside ("(Say 'none' if not.)") or emoji."""
    text = _ASIDE.sub("", normalise(text))
    return bool(_ENDS_ASKING.search(text))


@dataclass(frozen=True)
class Template:
    kind: str
    pattern: re.Pattern[str]
    literal_chars: int


def compile_template(kind: str, text: str) -> Template | None:
    literals = _SLOT.split(normalise(text))
    literal_chars = sum(len(part.strip()) for part in literals)
    if literal_chars < MIN_LITERAL_CHARS:
        return None
    pattern = r"\s*.+?\s*".join(re.escape(part.strip()) for part in literals)
    return Template(kind, re.compile(pattern), literal_chars)


class QuestionKinds:
    """Tells the kind of question in a reply from the known responses' variations."""

    def __init__(self, templates: list[Template], responses: dict | None = None) -> None:
        # Longest first: the most specific template wins when two match.
        self._templates = sorted(templates, key=lambda t: -t.literal_chars)
        self._responses = responses or {}

    @classmethod
    def from_responses(cls, responses: dict) -> QuestionKinds:
        templates = []
        for name, kind in KINDS.items():
            for variation in responses.get(name) or []:
                text = variation.get("text") if isinstance(variation, dict) else None
                if isinstance(text, str) and (template := compile_template(kind, text)):
                    templates.append(template)
        return cls(templates, responses)

    def first_sentences(self, name: str) -> tuple[str, ...]:
        """The first sentence of each variation of response `name` ('' parts dropped)."""
        sentences = []
        for variation in self._responses.get(name) or []:
            text = variation.get("text") if isinstance(variation, dict) else None
            if isinstance(text, str) and text.strip():
                sentences.append(re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0])
        return tuple(sentences)

    @classmethod
    def from_domain(cls, path: Path) -> QuestionKinds:
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls.from_responses(domain.get("responses") or {})

    def kind_of(self, reply: str) -> str | None:
        """The kind of question the reply asks, `other` for an unknown question, None if none."""
        text = normalise(reply)
        for template in self._templates:
            if template.pattern.search(text):
                return template.kind
        return OTHER if is_question(reply) else None

    def asked(self, replies: list[str]) -> list[str]:
        """The kinds asked in one turn's replies, in order, each once."""
        kinds: list[str] = []
        for reply in replies:
            kind = self.kind_of(reply)
            if kind is not None and kind not in kinds:
                kinds.append(kind)
        return kinds
