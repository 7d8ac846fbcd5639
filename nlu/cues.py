"""Intent cues from what the rule finders see: "this message is mostly an email".

Word and character n-grams cannot tell that "0151 496 0000" and "07700 900123" are the
same kind of answer, or that a lone capitalised word is probably a name. These fixed
features, one column each, fill that gap for the intent classifier:

- entity:<type> for every type the pattern finders spot (money, timeframe, email, phone,
  order_ref, fact_key), and mostly_entity when those spans cover most of the message;
- len:<bucket> for the number of words, and single_title_word for "Fatima";
- topic:telecom and topic:elsewhere when a word of the two small lexicons below is in the
  message: what a telecom is about (broadband, router, sim...) and what banks, airlines,
  kitchens and weather forecasts are about (card, transfer, atm, flight, recipe...). They
  let the classifier tell "my card hasn't arrived" from "my sim hasn't arrived".
"""
from __future__ import annotations

from nlu import timeframe
from nlu.finders import RuleFinders, rule_finders
from nlu.text import clip

ENTITY_TYPES = ("money", "timeframe", "email", "phone", "order_ref", "fact_key")
LENGTH_BUCKETS = ("1", "2", "3-4", "5-8", "9+")
CUE_NAMES = (
    *(f"entity:{name}" for name in ENTITY_TYPES),
    "mostly_entity",
    *(f"len:{bucket}" for bucket in LENGTH_BUCKETS),
    "single_title_word",
    "topic:telecom",
    "topic:elsewhere",
)
TELECOM_WORDS = frozenset("""
broadband internet interent wifi wi-fi fibre fiber router hub modem mesh sim esim signal
4g 5g 3g data network coverage mobile phone handset smartphone landline line tv telly
box channels northwind engineer installation connection speed speeds mbps meg outage
roaming texts calls voicemail contract plan bundle upgrade bill bills billing invoice
""".split())
ELSEWHERE_WORDS = frozenset("""
card cards debit credit atm atms cashpoint cash withdraw withdrawal withdrawals transfer
transfers iban swift sort bank banks banking savings loan mortgage overdraft cheque
exchange currency currencies crypto bitcoin pin contactless beneficiary statement
parcel parcels courier couriers evri hermes dpd asos ebay argos laptop laptops macbook printer
paypal revolut monzo visa mastercard amex salary pension isa interest
flight flights airport airline luggage hotel holiday passport visa train trains bus
taxi uber recipe cook cooking bake recipe calories dinner lunch breakfast restaurant
weather rain snow forecast temperature sunny homework essay maths math doctor dentist
headache symptoms medicine pharmacy joke jokes song music netflix spotify amazon
insurance boiler electricity gas water council tax top-up topup topped topping
transaction transactions merchant seller purchase purchases fiat wallet
""".split())


def length_bucket(words: int) -> str:
    if words <= 2:
        return str(max(words, 1))
    return "3-4" if words <= 4 else "5-8" if words <= 8 else "9+"


class CueFinder:
    """The cue names (from CUE_NAMES) that hold for a message."""

    def __init__(self, finders: RuleFinders | None = None) -> None:
        # The default currency and country code only change entity values, never which
        # spans are found, so the defaults serve whatever the pattern extractor is set to;
        # with its default config the two share one RuleFinders and one run per message.
        self.finders = finders if finders is not None else rule_finders()

    def cues(self, text: str) -> set[str]:
        text = clip(text)
        doc, found = self.finders.find(text, timeframe.today())
        cues = {f"entity:{item.entity}" for item in found}
        covered = sum(item.end - item.start for item in found)
        if found and covered >= 0.6 * len(text.strip()):
            cues.add("mostly_entity")
        words = [token for token in doc if not (token.is_punct or token.is_space)]
        cues.add(f"len:{length_bucket(len(words))}")
        if len(words) == 1 and words[0].is_alpha and words[0].is_title:
            cues.add("single_title_word")
        lowered = {token.lower_ for token in words}
        if lowered & TELECOM_WORDS:
            cues.add("topic:telecom")
        if lowered & ELSEWHERE_WORDS:
            cues.add("topic:elsewhere")
        return cues
