"""High-precision intent rules applied after the intent classifier.

"Do you sell the Google Pixel?", "do u do wifi boosters?", "does northwind have tv?":
however the rest is worded, a message opening with do-you-sell/have/do/offer asks whether
we have something, so it is `ask_product`. The classifier reads such questions about things
we do not sell as out of scope, and ones that mention a symptom ("signal doesn't reach
upstairs") as complaints. A question about deals or a person is left alone (ask_offers,
request_human). A clear request for a person ("can a real person take over", "get me a
manager") is `request_human` whatever else the message says: the dialogue still records a
problem stated with it. Announcing a complaint ("i need to raise an issue") is `complain`,
however vague. A complaint about another provider ("I'm with Virgin and they've put my
bill up") is `out_of_scope` unless it also says we did something. The rule's intent comes
first in the ranking.
"""
from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.text import clip

AVAILABILITY = re.compile(
    r"^\W*(?:(?:hi|hello|hey|hiya|ok|so|quick question|question)\W+)*"
    r"(?:do|does|d'?you)\s+(?:you|u|ya|yous|you guys|northwind)\s+"
    r"(?:guys\s+|lot\s+|still\s+|even\s+|actually\s+)?"
    r"(?:sell|do|have|offer|stock|carry|provide|supply|got)\b",
    re.IGNORECASE)
LEFT_ALONE = re.compile(
    r"\b(?:deals?|offers|special offer|discounts?|promo\w*|person|human|agent|someone|somebody|anyone|"
    r"real|staff|advisor|adviser|manager|number for|phone number|email address|record|"
    r"details|my data|complaint)\b",
    re.IGNORECASE)


# "can a real person take over", "get me a manager", "i want to speak to someone": a person.
PERSON = re.compile(
    r"\b(?:(?:real|actual|live) (?:person|human|agent)|a human\b|(?:speak|talk|chat) (?:to|with) "
    r"(?:a |an |some|your )?(?:person|human|agent|adviser|advisor|someone|somebody|manager|"
    r"supervisor|staff)|get me (?:a |an |your )?(?:person|human|agent|manager|supervisor)|"
    r"(?:person|human|someone) (?:to )?take over|put me through to)\b",
    re.IGNORECASE)


# "i need to raise an issue", "i want to make a complaint": a complaint, however vague.
COMPLAINT = re.compile(
    r"\b(?:(?:raise|report|log|file|lodge|make|submit|register|put in) (?:a |an )?(?:formal )?"
    r"(?:issue|complaint|problem|fault)|(?:have|got) (?:a |an )?(?:complaint|issue with|problem "
    r"with)|want(?:ed)? to complain|wanna complain|i(?:'d| would) like to complain)\b",
    re.IGNORECASE)

# "is this a real person?", "am i talking to a human": asking what the bot is.
BOT_CHALLENGE = re.compile(
    r"\b(?:is (?:this|that|it)|are (?:you|u)|am i (?:talking|chatting|speaking) (?:to|with)) "
    r"(?:a |an )?(?:real |actual |live )?(?:person|human|bot|robot)\b", re.IGNORECASE)


# Other providers, named as the customer's own ("I'm with BT", "my Sky contract", "EE
# charged me"): their complaints are not ours to take.
_PROVIDERS = (r"bt|virgin(?: media| mobile)?|sky|talk ?talk|ee|vodafone|o2|three|plusnet|giffgaff|"
              r"tesco mobile|hyperoptic|community fibre|now broadband|id mobile|lebara|lyca(?:mobile)?|"
              r"voxi|smarty|shell energy")
OTHER_PROVIDER = re.compile(
    rf"\b(?:(?:i'?m|im|i am|we'?re|we are|i'?ve been|been) (?:with|on) (?:{_PROVIDERS})|"
    rf"my (?:{_PROVIDERS}) (?:bill|contract|broadband|internet|phone|sim|plan|router|hub|box|account|"
    rf"line|package|deal)|(?:{_PROVIDERS}) (?:have|has|keep|keeps|charged|put|cut|won'?t|didn'?t|"
    rf"never|raised|hiked|increased))\b", re.IGNORECASE)
# ...unless we are the ones who did something: "I left Sky for you and you charged me".
US_DOING = re.compile(
    r"\b(?:(?:you|u|northwind|you guys|you lot) (?:have|has|'ve|charged|took|take|sent|keep|cut|"
    r"put|won'?t|didn'?t|never|are|r|still)|your (?:bill|charge|fee|engineer|router|hub|service|"
    r"network|staff|signal|app|website))\b", re.IGNORECASE)


def about_another_provider(text: str) -> bool:
    return bool(OTHER_PROVIDER.search(text)) and not US_DOING.search(text)


def rule_intent(text: str, classified: str | None = None) -> str | None:
    """The intent a rule gives `text` (the classifier said `classified`), or None when no
    rule applies."""
    if classified == "complain" and about_another_provider(text) and not PERSON.search(text):
        return "out_of_scope"
    if PERSON.search(text) and not BOT_CHALLENGE.search(text):
        return "request_human"
    if AVAILABILITY.search(text) and not LEFT_ALONE.search(text):
        return "ask_product"
    if COMPLAINT.search(text):
        return "complain"
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRules(GraphComponent, IntentClassifier):
    """Overrides the classifier's intent where a rule applies."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"confidence": 0.95}

    def __init__(self, config: dict[str, Any]) -> None:
        self._confidence = float({**self.get_default_config(), **config}["confidence"])

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> IntentRules:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            classified = (message.get(INTENT) or {}).get("name")
            intent = rule_intent(clip(message.get(TEXT) or ""), classified)
            if intent is None:
                continue
            # The classifier's intents stay in the ranking, scaled below the rule's, so the
            # fallback's ambiguity check never sees a tie with it.
            ranking = [{**r, "confidence": (r.get("confidence") or 0.0) * (1 - self._confidence)}
                       for r in message.get("intent_ranking") or [] if r.get("name") != intent]
            top = {"name": intent, "confidence": self._confidence}
            message.set(INTENT, top, add_to_output=True)
            message.set("intent_ranking", [top, *ranking], add_to_output=True)
        return messages
