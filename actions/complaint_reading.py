"""What a complaint message says about itself: category, severity and order reference.

The NLU reports a whole-message `complaint_category` (a classifier trained on complaint
texts) and a `severity`; these functions trust them when they are confident and fall back
on the customer's words otherwise, so a typed answer in any words ("it's about my bill",
"the box you sent me", "pretty bad, I can't work") is understood.
"""

from __future__ import annotations

import difflib
import re

from actions.catalogue import Product, catalogue
from actions.turn import CATEGORY_CONFIDENT, Message

# The classifier alone decides above this; below, the customer's words can overrule it.
CLASSIFIER_SURE = 0.75
_NO_PRODUCT = Product(id="", name="", category="", monthly_price=0)

# A reference is asked for only where there usually is one: an invoice, an order.
NO_REFERENCE_CATEGORIES = frozenset({"connection", "service"})
ORDER_WORDS = re.compile(r"\b(?:order|ordered|deliver\w*|arriv\w*|sent|new sim|bought|purchas\w*|"
                         r"invoice|ref\w*|parcel|tracking|activat\w*)\b", re.IGNORECASE)

_CATEGORY_WORDS = {
    "connection": r"internet|broadband|wi-?fi|connection|connect|signal|speed|slow|down\b|landline|"
                  r"outage|drop|offline|disconnect|buffer|lag|coverage|no service|line|fibre|mbps",
    "billing": r"bill|charged|charges? (?:on|for|from)|a charge|the charge|extra charge|"
               r"invoice|payment|paid|pay\b|refund|price|overcharg|direct debit|fee|credit|"
               r"trade.?in|owe|cost|money|debit|account balance|discount|tariff|contract|"
               r"roaming|£\s?\d|\d+\s?(?:quid|pounds)|taken \d|taking money|off me",
    "device": r"router|hub|box\b|modem|handset|phone (?:you|i got|arrived)|device|sim card|"
              r"screen|delivery|deliver|arriv|parcel|broken|faulty|damaged|cable|remote|"
              r"iphone|galaxy|mesh|extender|charging port|charger|battery|won.?t charge|"
              r"port\b|button|speaker|microphone",
    "service": r"rude|staff|helpline|call cent|agent|adviser|advisor|engineer|hold|callback|"
               r"call back|nobody|no one|no-one|ignored|customer service|support|unhelpful|"
               r"wait|answer(?:ed)? the phone|complaint handling|manager|chat\b|the people|"
               r"passed (?:between|around)|appointment",
    "other": r"something else|other|none of (?:these|those|them)|different",
}
_SEVERITY_WORDS = {
    "high": r"can.?t (?:work|use|do|get|make|call|rely|watch|stream)|cannot|unable|no (?:service|internet|signal|"
            r"connection) at all|completely|totally|urgent|emergency|nothing works|for days|"
            r"all (?:day|week)|unusable|really bad|very bad|terrible|awful|worst|serious|"
            r"critical|severe|stopp(?:ed|ing) me|lost (?:work|business|money)|extremely|"
            r"incredibly|hugely|massively|seriously|unacceptable|livid|furious",
    "low": r"minor|a (?:little|bit)|slightly|not a big deal|not (?:too|that|very) bad|"
           r"small|just annoying|only annoying|mild|bearable|can live with|no big deal|"
           r"not urgent|not serious|now and then|occasionally|once",
    "medium": r"keeps?|every (?:day|night|evening|morning|week)|regular|again|often|"
              r"frequent|daily|most days|annoying|quite bad|pretty annoying|affects me|"
              r"several times|all the time|constantly|recurring|frustrat\w*|irritat\w*|"
              r"inconvenien\w*|stressful|a pain|a hassle|moderate\w*|medium|manageable|so.so|"
              r"fairly|quite",
}
_NO_REFERENCE = re.compile(
    r"^(?:no+|nope|none|nah|n/?a|no ref(?:erence)?|not sure|no idea|dunno|don.?t (?:have|know)"
    r"(?: (?:one|it|any))?|i don.?t have (?:one|it|any)|haven.?t got (?:one|it|any)|"
    r"no,? (?:sorry|thanks)|can.?t find it|nothing|i (?:do )?not have|not have|have not|"
    r"i have none|there is none|there isn.?t one)\b", re.IGNORECASE)
# Words that announce a complaint without saying what it is about.
_ANNOUNCEMENT = re.compile(
    r"\b(?:hi|hello|hey|hiya|please|pls|ok|so|um+|er+m*|yes|yeah|i|i'?d|id|would|like|want|wanna|"
    r"need|have|got|to|make|file|raise|lodge|log|submit|put in|register|a|an|formal|official|"
    r"complain(?:t|ts|ing)?|about|something|thing|issue|problem|with|you|your|u|ur|service|"
    r"there'?s|is|it|i'?m|im|am|not|happy|unhappy|very|really)\b|[^\w\s]")
_CODE = re.compile(r"\b[A-Z]{0,4}-?\d{4,}\b", re.IGNORECASE)


# The plain words of each category, for misspelt answers ("signl", "bil", "ruter").
_PLAIN_WORDS = {
    word: category for category, pattern in _CATEGORY_WORDS.items() if category != "other"
    for word in pattern.split("|") if re.fullmatch(r"[a-z]{4,}", word)
}


def _misspelt_category(text: str) -> str | None:
    """The category whose word a short answer misspells, when only one is that close."""
    found = {_PLAIN_WORDS[match] for token in re.findall(r"[a-z]{4,}", text)
             for match in difflib.get_close_matches(token, _PLAIN_WORDS, n=3, cutoff=0.8)}
    return found.pop() if len(found) == 1 else None


def _keyword_scores(text: str, table: dict[str, str]) -> dict[str, int]:
    """How many of each key's words the text has, each matched from the start of a word
    ("owe" is not in "power", "line" is not in "online")."""
    lowered = text.lower()
    return {key: len(re.findall(rf"(?<!\w)(?:{pattern})", lowered)) for key, pattern in table.items()}


def category_of(message: Message, *, answering: bool = False, best_reading: bool = False,
                stated: bool = False) -> str | None:
    """The complaint's category, if the message makes it clear.

    The NLU's classifier decides when it is sure; otherwise the words decide (a device
    named counts for "device"), and the classifier breaks a tie. `answering`: the message
    replies to "what is it about?", so a category named in any words counts.
    `best_reading`: give the likeliest category even when it is not clear. `stated`: the
    message is known to tell of a problem, whatever its intent.
    """
    categories = catalogue.complaint_categories()
    text = message.words.lower()
    if answering:
        for category_id, title in categories.items():
            if text.strip(" .!") in (category_id, title.lower()):
                return category_id
    found = message.first("complaint_category")
    classified = found.value if found and found.value in categories else None
    confidence = found.confidence if classified else 0.0
    if classified and (confidence >= CLASSIFIER_SURE or message.is_button):
        return classified
    scores = {k: v for k, v in _keyword_scores(text, _CATEGORY_WORDS).items() if v}
    if answering and re.search(r"\b(?:phone|handset|mobile phone|the box|tv box)\b", text):
        scores["device"] = scores.get("device", 0) + 1
    if any((catalogue.product(e.value) or _NO_PRODUCT).category == "device"
           for e in message.all("product")):
        scores["device"] = scores.get("device", 0) + 1
    if len(scores) > 1:
        scores.pop("other", None)
    if scores:
        best = max(scores.values())
        leaders = [k for k, v in scores.items() if v == best]
        if classified in leaders:
            return classified
        if len(leaders) > 1:
            # Customers lead with the main problem: of equal readings, the first named.
            leaders.sort(key=lambda k: _first_mention(text, _CATEGORY_WORDS.get(k, "")))
        if answering or best_reading or stated or message.intent == "complain" or classified:
            return leaders[0]
    if classified and (confidence >= CATEGORY_CONFIDENT or best_reading):
        return classified
    if answering and len(text.split()) <= 6:
        return _misspelt_category(text)
    return None


def _first_mention(text: str, pattern: str) -> int:
    match = re.search(pattern, text) if pattern else None
    return match.start() if match else len(text)


def severity_of(message: Message, *, answering: bool = False) -> str | None:
    """low, medium or high when the message says how badly the problem affects them."""
    entity = message.first("severity")
    if entity and entity.value in ("low", "medium", "high"):
        return entity.value
    scores = _keyword_scores(message.words, _SEVERITY_WORDS)
    for level in ("high", "low", "medium"):
        if scores[level]:
            return level
    if answering:
        text = message.words.lower()
        if re.search(r"\b(?:bad|badly|a lot|very|really|massively|hugely)\b", text):
            return "high"
        if re.search(r"\b(?:ok|okay|fine|not much|not really|a little)\b", text):
            return "low"
    return None


# In a short answer to the reference question, these say there is none to give.
_NO_REFERENCE_SAID = re.compile(
    r"\b(?:never (?:gave|given|got|sent|received)|don.?t (?:know|have|remember)|dont (?:know|have)|"
    r"no (?:idea|number|reference|ref)|not sure|can.?t (?:find|remember)|lost it|haven.?t got)\b",
    re.IGNORECASE)


_NO_REFERENCE_STATED = re.compile(
    r"\b(?:(?:don.?t|do not|dont|haven.?t|have not|never) (?:have|had|got|received|given|get)|no) "
    r"(?:an?y? |a |the )?(?:reference|ref|order number|order no|account number|case number)\b",
    re.IGNORECASE)


def reference_of(message: Message, *, asked: bool) -> str | None:
    """The order or account reference; 'none' when asked and the customer has none."""
    entity = message.first("order_ref")
    if entity:
        return entity.value.upper().lstrip("#")[:64]
    if not asked:
        # "I don't have any reference number": said before it is asked for.
        return "none" if _NO_REFERENCE_STATED.search(message.words) else None
    code = _CODE.search(message.words)
    if code:
        return code.group(0).upper()
    if (message.intent == "deny" or _NO_REFERENCE.match(message.words.strip())
            or (len(message.words.split()) <= 12 and _NO_REFERENCE_SAID.search(message.words))):
        return "none"
    return None


def describes_problem(message: Message, category: str | None) -> bool:
    """Whether the message says what went wrong, not just "I want to complain"."""
    words = _ANNOUNCEMENT.sub(" ", message.words.lower()).split()
    if not words:
        return False
    if category or message.first("severity") or message.first("product"):
        return len(words) >= 2
    return len(words) >= 4


def states_a_problem(message: Message) -> bool:
    """Whether a message that is mainly something else (a request for a person, a change of
    details) also tells of a problem clearly enough to record it as a complaint."""
    found = message.first("complaint_category")
    if found is None or found.confidence < CATEGORY_CONFIDENT or found.value == "other":
        return False
    return describes_problem(message, found.value) and len(message.words.split()) >= 6


# "Two things: the wifi drops every night, and you've also charged me a fee": a second
# problem, of another kind, told in the same message.
_ENUMERATION = re.compile(r"\b(?:two things|2 things|couple of things|also|as well|on top of "
                          r"(?:that|this|it)|plus|another thing|secondly)\b")
_CLAUSE_BREAK = re.compile(r"[.;!?]+\s+|\s+(?=\(?\d\s?\)\s)|\s*,?\s*\b(?:and also|also|plus|on top of (?:that|this|it)|"
                           r"and another thing|as well as that|secondly)\b[\s,:]*", re.IGNORECASE)

_NUMBERING = re.compile(r"^\(?\d\s?[).:]\s*")
_TRAILING_JOIN = re.compile(r"[,\s]+(?:and|but|so)(?:\s+\S+)?$", re.IGNORECASE)


def second_problem(message: Message, first: str | None) -> tuple[str, str] | None:
    """(category, words) of a second problem of another kind than `first` that the message
    enumerates, or None."""
    if first is None or not _ENUMERATION.search(message.words.lower()):
        return None
    for clause in _CLAUSE_BREAK.split(message.words):
        words = _TRAILING_JOIN.sub("", clause.strip(" ,.:;-"))
        words = _NUMBERING.sub("", words)
        if len(words.split()) < 4:
            continue
        # A product's name is no word of a category ("charged for Fibre 500" is billing).
        unnamed = words
        for product in catalogue.find_products(words):
            unnamed = re.sub(re.escape(product.name), " ", unnamed, flags=re.IGNORECASE)
        scores = {k: v for k, v in _keyword_scores(unnamed, _CATEGORY_WORDS).items()
                  if v and k != "other"}
        if not scores:
            continue
        best = max(scores.values())
        leaders = sorted((k for k, v in scores.items() if v == best),
                         key=lambda k: _first_mention(words.lower(), _CATEGORY_WORDS[k]))
        if leaders[0] != first:
            return leaders[0], words
    return None
