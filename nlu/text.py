"""Shared text plumbing for the extractors: a blank English tokenizer and the found-entity record.

The extractors tokenize with spaCy's rule-based English tokenizer, independently of the
Rasa tokenizer in the pipeline, and report character offsets into the original text, so
their entities line up with whatever tokens Rasa uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_suffix_regex

# Messages longer than this are only searched up to it: chat messages are short, and the
# cap keeps a pasted wall of text from costing more than a normal message several times over.
MAX_CHARS = 2_000
# And each finder looks at no more than this many candidate matches in one message, so a
# hostile message full of "£1 £1 £1 ..." costs milliseconds, not seconds.
MAX_MATCHES = 200

# Split digits from glued units and period abbreviations ("40pm" -> "40" "pm", "£40pcm").
_EXTRA_SUFFIXES = [r"(?<=[0-9])(?:pcm|pm|pw|pa|p/m|gbp|eur|usd|quid|mbps|mb|gb|meg|gig|gigs)"]
# Split brackets and hyphens between digits ("+44 (0)151" -> "(", "0", ")", "151";
# "30-40" -> "30", "-", "40"), so number ranges, phones and dates read token by token.
_EXTRA_INFIXES = [r"(?<=[0-9])[()\-](?=[0-9])"]


def build_nlp() -> Language:
    """A blank English pipeline whose tokenizer also splits the shapes money and phones use."""
    nlp = spacy.blank("en")
    suffixes = list(nlp.Defaults.suffixes) + _EXTRA_SUFFIXES
    infixes = list(nlp.Defaults.infixes) + _EXTRA_INFIXES
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def clip(text: Any) -> str:
    """The part of a message the extractors look at: text only, capped at MAX_CHARS.

    Lone surrogates (which spaCy cannot encode) become U+FFFD, one character for one,
    so offsets into the clipped text are offsets into the original message.
    """
    if not isinstance(text, str):
        return ""
    return _LONE_SURROGATES.sub("\ufffd", text[:MAX_CHARS])


@dataclass(frozen=True)
class Found:
    """One entity found in a message, before it becomes a Rasa entity dict."""

    entity: str
    start: int
    end: int
    value: Any
    additional_info: dict[str, Any] | None = field(default=None, compare=False)

    def as_rasa(self, text: str) -> dict[str, Any]:
        entity: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "confidence_entity": 1.0,
        }
        if self.additional_info:
            # A copy: the finds of the last message are kept (nlu/finders.py) and may be
            # handed out again, so no entity dict may share a mutable dict with them.
            entity["additional_info"] = dict(self.additional_info)
        return entity


def without_overlaps(found: Iterable[Found], taken: Iterable[tuple[int, int]] = ()) -> list[Found]:
    """Keep the longest of overlapping finds (the earlier one on a tie), skipping taken spans."""
    candidates = list(found)
    taken = list(taken)
    size = max([item.end for item in candidates] + [end for _, end in taken] + [0])
    occupied = bytearray(size)
    for start, end in taken:
        occupied[max(0, start):end] = b"\x01" * (end - max(0, start))
    kept: list[Found] = []
    ranked = sorted(enumerate(candidates), key=lambda item: (item[1].start - item[1].end, item[0]))
    for _, candidate in ranked:
        if any(occupied[candidate.start:candidate.end]):
            continue
        kept.append(candidate)
        occupied[candidate.start:candidate.end] = b"\x01" * (candidate.end - candidate.start)
    return sorted(kept, key=lambda item: item.start)


_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """Lower-case and collapse whitespace, for comparing phrases."""
    return _SPACES.sub(" ", text.strip().lower())
