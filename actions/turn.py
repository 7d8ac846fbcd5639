"""One customer message as the actions see it: its intent, its entities, and what kind of
move it is in the conversation (an answer, an escape, a digression that comes back)."""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions.entities import valid_entity

# Intents that can carry the answer to the question the bot just asked. Anything else
# is the customer doing something else, which the form must let through (see
# actions.dialogue): a request for a person is never taken as a timeframe.
ANSWER_INTENTS = frozenset({
    "inform", "inform_name", "affirm", "deny", "correct", "nlu_fallback",
    # Short verdicts ("not too bad", "it's fine", "terrible") answer a form's question as
    # often as the satisfaction question they were trained for.
    "feedback_completely_dissatisfied", "feedback_dissatisfied", "feedback_neutral",
    "feedback_satisfied", "feedback_completely_satisfied",
})

# Intents that are a move of their own even when the message also holds something a form
# could use ("I want a person, my budget is 30"): the form lets them through.
DIGRESSIONS = frozenset({
    "request_human", "cancel", "forget_me", "goodbye", "continue_elsewhere", "complain",
    "ask_product", "complaint_status", "ask_profile", "change_fact", "ask_offers",
    "stop_offers",
})

# Intents whose action ends whatever form is running.
ESCAPE_INTENTS = frozenset({
    "request_human", "cancel", "forget_me", "goodbye", "continue_elsewhere",
})

# Below this confidence the intent is a guess: a message that might be an answer is
# treated as one rather than thrown to another flow.
CONFIDENT = 0.6

# A category answer the complaint classifier reports below this is not trusted.
CATEGORY_CONFIDENT = 0.5


@dataclass(frozen=True)
class Entity:
    type: str
    value: str
    start: int
    end: int
    confidence: float
    info: dict[str, Any]


@dataclass(frozen=True)
class Message:
    """The latest user message of a tracker."""

    text: str
    intent: str
    confidence: float
    entities: tuple[Entity, ...]
    ranking: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, tracker: Tracker) -> Message:
        latest = tracker.latest_message or {}
        intent = latest.get("intent") or {}
        entities = []
        for raw in latest.get("entities") or ():
            if not isinstance(raw, dict) or raw.get("value") in (None, ""):
                continue
            if not valid_entity(str(raw.get("entity")), str(raw.get("value"))):
                continue  # e.g. an email that is not one, or a category we do not have
            entities.append(Entity(
                type=str(raw.get("entity")),
                value=str(raw.get("value")),
                start=int(raw.get("start") or 0),
                end=int(raw.get("end") or 0),
                confidence=float(raw.get("confidence_entity") or 1.0),
                info=raw.get("additional_info") or {},
            ))
        return cls(
            text=(latest.get("text") or "").strip(),
            intent=str(intent.get("name") or ""),
            confidence=float(intent.get("confidence") or 0.0),
            entities=tuple(entities),
            ranking=tuple((str(r.get("name")), float(r.get("confidence") or 0.0))
                          for r in latest.get("intent_ranking") or () if isinstance(r, dict)),
        )

    def likelihood(self, intent: str) -> float:
        """The classifier's confidence in `intent` for this message (0 if not ranked)."""
        return next((confidence for name, confidence in self.ranking if name == intent), 0.0)

    @property
    def is_button(self) -> bool:
        """A button press: the text is the payload, not the customer's words."""
        return self.text.startswith("/")

    @property
    def words(self) -> str:
        """The customer's own words ('' for a button press), capped for storage."""
        return "" if self.is_button else self.text[:2000]

    def all(self, entity_type: str) -> list[Entity]:
        return [entity for entity in self.entities if entity.type == entity_type]

    def first(self, entity_type: str) -> Entity | None:
        found = self.all(entity_type)
        return found[0] if found else None

    def value(self, entity_type: str) -> str | None:
        entity = self.first(entity_type)
        return entity.value if entity else None

    @property
    def could_answer(self) -> bool:
        """Whether this message may be the answer to a question the bot asked."""
        return self.intent in ANSWER_INTENTS or self.confidence < CONFIDENT

    def answers_with(self, values: dict, requested: str | None) -> bool:
        """Whether a message that gave `values` answers the form: a guess at the intent
        (even "out of scope") yields to an answer to the question asked; a clear other move,
        or another slot only ("what's the weather tomorrow" at the budget question), does not."""
        if not values:
            return False
        if self.could_answer:
            return True
        return self.intent not in DIGRESSIONS and requested in values

    @property
    def escapes(self) -> bool:
        return self.intent in ESCAPE_INTENTS and self.confidence >= CONFIDENT

    def negated(self, entity: Entity) -> bool:
        """'not broadband', 'instead of broadband', 'rather than 40': the old value."""
        before = self.text[max(0, entity.start - 16):entity.start].lower()
        return any(before.rstrip().endswith(cue) for cue in NEGATION_CUES)

    def current(self, entity_type: str) -> Entity | None:
        """The entity of this type the customer means now: in 'mobile, not broadband' that
        is mobile, whichever comes first. Of several amounts, the one said as a limit
        ("we pay 62, want under 50") is the budget."""
        found = self.all(entity_type)
        meant = [entity for entity in found if not self.negated(entity)] or found
        if entity_type == "money" and len(meant) > 1:
            limits = [e for e in meant if (e.info or {}).get("bound") in ("max", "about", "range")]
            meant = limits or meant
        return (meant or [None])[0]

    def possessed(self, entity: Entity) -> bool:
        """'my broadband', 'our tv', 'she already has a phone': something they have."""
        before = self.text[max(0, entity.start - 16):entity.start].lower().rstrip()
        article = re.match(r"(an?|the)\s", self.text[entity.start:entity.end].lower())
        if article:  # the span itself may start with its article: "has [a phone]"
            before = f"{before} {article.group(1)}"
        if before.endswith(("to have", "you have", "u have", "to get", "you got", "u got")):
            return False  # "want to have", "do you have": not theirs yet
        return before.endswith(("my", "our", "existing", "current", "the same", "has", "have",
                                "got", "has a", "have a", "got a", "has an", "have an", "got an"))


NEGATION_CUES = ("not", "not a", "not the", "instead of", "rather than", "n't", "no longer")
