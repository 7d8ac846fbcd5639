"""The eval-conversations scorer on hand-made transcripts: kinds, traps, asked-again, expectations."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.conversations import customers as scripted
from benchmarks.conversations.products import Product, load_catalogue
from benchmarks.conversations.questions import QuestionKinds
from benchmarks.conversations.scoring import (
    Exchange, Failure, Outcome, Record, asked_again, score, traps,
)
from benchmarks.conversations.report import summary
from benchmarks.eval_conversations import persona_gives
from bot.settings import REPO_ROOT

RESPONSES = {
    "utter_ask_first_name": [{"text": "Before we start, what's your first name?"}],
    "utter_ask_need_budget": [
        {"text": "Roughly what monthly budget do you have in mind for {need_category}?"},
        {"text": "And your budget, {first_name}?"},
    ],
    "utter_ask_complaint_reference": [
        {"text": "Is there an order or account reference I should attach? (Say 'none' if not.)"}
    ],
    "utter_ask_complaint_severity": [{"text": "How badly does this affect you?"}],
    "utter_ask_email": [{"text": "{x}?"}],  # too little literal text to recognise anything by
    "utter_greet": [{"text": "What a lovely day, isn't it?"}],  # not a known question kind
}
CATALOGUE = {
    "fibre-100": Product("fibre-100", "Fibre 100", "broadband", 25.0, 100, ("unlimited downloads", "a router")),
    "fibre-900": Product("fibre-900", "Fibre 900", "broadband", 45.0, 900,
                         ("unlimited downloads", "a router", "a mesh disc")),
    "sim-5gb": Product("sim-5gb", "SIM Only 5GB", "mobile", 8.5, None, ()),
}


def customer(**fields) -> scripted.Customer:
    raw = {"id": "t-1", "about": "test", "turns": ["hi"], **fields}
    return scripted.parse_customer(raw, "dev")


def asked(*kinds: str, said: str = "x", **fields) -> Exchange:
    return Exchange(said=said, replies=["..."], asked=list(kinds),
                    questions=[(kind, f"question {kind}") for kind in kinds], **fields)


@pytest.fixture
def kinds() -> QuestionKinds:
    return QuestionKinds.from_responses(RESPONSES)


def test_question_kinds_match_templates_with_slots_ignoring_case_and_spacing(kinds):
    assert kinds.kind_of("Before we start,   WHAT\u2019S your first name?") == "first_name"
    assert kinds.kind_of("Roughly what monthly budget do you have in mind for mobile?") == "need_budget"
    assert kinds.kind_of("And your budget, Ahmed?") == "need_budget"
    assert kinds.kind_of("Thanks! Is there an order or account reference I should attach? "
                         "(Say 'none' if not.)") == "complaint_reference"


def test_unknown_questions_are_other_and_statements_are_no_question(kinds):
    assert kinds.kind_of("What a lovely day, isn't it?") == "other"
    assert kinds.kind_of("Anything else? \U0001F642") == "other"
    assert kinds.kind_of("Got it: mobile, budget 15.") is None
    assert kinds.asked(["Noted.", "How badly does this affect you?", "How badly does this affect you?"]) == [
        "complaint_severity"
    ]


def test_the_shipped_domain_gives_the_severity_question_its_kind():
    kinds = QuestionKinds.from_domain(REPO_ROOT / "domain.yml")
    assert kinds.kind_of("How badly does this affect you?") == "complaint_severity"


def test_a_question_in_three_turns_is_a_trap_reported_once():
    looping = [asked("complaint_severity"), asked("complaint_severity"), asked("complaint_severity")]
    assert traps(looping) == ["kind complaint_severity asked 3 times"]
    assert traps(looping[:2]) == []


def test_the_same_unknown_question_three_times_is_a_trap():
    same = Exchange(said="x", replies=["Pardon?"], asked=["other"], questions=[("other", "pardon?")])
    other = Exchange(said="x", replies=["Why?"], asked=["other"], questions=[("other", "why?")])
    assert traps([same, other, same, same]) == ["'pardon?' asked 3 times"]
    assert traps([same, other, other, same]) == []


def test_asking_for_what_an_earlier_message_gave_is_asked_again():
    gave = asked(gives=frozenset({"need_budget", "need_category"}))
    assert asked_again([gave, asked("need_timeframe"), asked("need_budget")]) == ["turn 3: asked need_budget again"]


def test_a_re_ask_right_after_a_missed_answer_is_left_to_the_trap_check():
    answer = asked("need_budget", answered="need_budget", gives=frozenset({"need_budget"}))
    assert asked_again([asked("need_budget"), answer]) == []


def test_a_fact_the_profile_holds_is_not_to_be_asked_for():
    assert asked_again([asked("first_name", known=frozenset({"first_name"}))]) == ["turn 1: asked first_name again"]
    assert asked_again([asked("first_name", known=frozenset({"email"}))]) == []


def test_a_second_complaint_may_ask_its_details_again():
    first = asked("complaint_severity", gives=frozenset({"complaint_category"}))
    second = asked("complaint_category", new="complaint")
    assert asked_again([first, second]) == []
    assert asked_again([first, asked("complaint_category")]) == ["turn 2: asked complaint_category again"]


def test_persona_values_in_a_message_count_as_given():
    maria = customer(persona={"first_name": "Maria", "email": "maria.k@example.com", "phone": "07700 900123"})
    assert persona_gives(maria, "Hi, I'm Maria, MARIA.K@example.com, 07700900123") == {"first_name", "email", "phone"}
    assert persona_gives(maria, "hi, I'm Marianne") == set()


def failed_kinds(who: scripted.Customer, outcome: Outcome, exchanges=None) -> set[str]:
    exchanges = exchanges if exchanges is not None else [Exchange(said="hi", replies=["Hello!"])]
    return {failure.kind for failure in score(who, exchanges, outcome, CATALOGUE)}


def test_complaint_category_must_match_one_of_the_expected():
    who = customer(expect={"complaint": {"category": ["billing", "service"]}})
    assert failed_kinds(who, Outcome(complaints=[Record("service")])) == set()
    assert failed_kinds(who, Outcome(complaints=[Record("connection")])) == {"complaint"}
    assert failed_kinds(who, Outcome()) == {"complaint"}


def test_two_expected_complaints_need_two_records():
    who = customer(expect={"complaint": [{"category": "billing"}, {"category": "billing"}]})
    assert failed_kinds(who, Outcome(complaints=[Record("billing")])) == {"complaint"}
    assert failed_kinds(who, Outcome(complaints=[Record("billing"), Record("billing")])) == set()


def test_need_matches_category_budget_amount_and_whether_a_timeframe_was_recorded():
    who = customer(expect={"need": {"category": "mobile", "budget": 15, "timeframe": "any"}})
    assert failed_kinds(who, Outcome(needs=[Record("mobile", budget="£15 a month", timeframe="asap")])) == set()
    assert failed_kinds(who, Outcome(needs=[Record("mobile", budget="25", timeframe="asap")])) == {"need"}
    assert failed_kinds(who, Outcome(needs=[Record("mobile", budget="15", timeframe=None)])) == {"need"}
    assert failed_kinds(who, Outcome(needs=[Record("broadband", budget="15", timeframe="asap")])) == {"need"}
    # A range is read as its top, what the customer is prepared to spend.
    assert failed_kinds(who, Outcome(needs=[Record("mobile", budget="10-15 GBP/month", timeframe="asap")])) == set()
    assert failed_kinds(who, Outcome(needs=[Record("mobile", budget="15-20 GBP/month", timeframe="asap")])) == {"need"}


def test_facts_ignore_case_and_phones_compare_digits():
    who = customer(expect={"facts": {"first_name": "John", "phone": "07700 900123", "email": None}})
    assert failed_kinds(who, Outcome(facts={"first_name": "john", "phone": "07700900123"})) == set()
    assert failed_kinds(who, Outcome(facts={"first_name": "Jon", "phone": "07700900123"})) == {"facts"}
    assert failed_kinds(who, Outcome(facts={"first_name": "John", "phone": "07700900123",
                                            "email": "j@example.com"})) == {"facts"}


def test_product_answers_must_state_the_catalogue_value():
    def replies(text: str) -> list[Exchange]:
        return [Exchange(said="how much?", replies=[text])]

    price = customer(expect={"product_answer": {"product": "sim-5gb", "field": "monthly_price"}})
    assert failed_kinds(price, Outcome(), replies("SIM Only 5GB is £8.50 a month.")) == set()
    assert failed_kinds(price, Outcome(), replies("SIM Only 5GB is £18.50 a month.")) == {"product_answer"}
    cheapest = customer(expect={"product_answer": {"field": "cheapest_in", "category": "broadband"}})
    assert failed_kinds(cheapest, Outcome(), replies("Our cheapest is fibre 100, at 25 a month.")) == set()
    assert failed_kinds(cheapest, Outcome(), replies("Fibre 900 is great.")) == {"product_answer"}
    compare = customer(expect={"product_answer": {"field": "compare", "products": ["fibre-100", "fibre-900"]}})
    assert failed_kinds(compare, Outcome(), replies("Fibre 100: £25. Fibre 900: £45.")) == set()
    assert failed_kinds(compare, Outcome(), replies("Fibre 100: £25. Fibre 900 is faster.")) == {"product_answer"}
    nothing = customer(expect={"product_answer": {"field": "available", "answer": "no"}})
    assert failed_kinds(nothing, Outcome(), replies("We don't sell landlines, only broadband and mobile.")) == set()
    assert failed_kinds(nothing, Outcome(), replies("We don't hold any details about you yet.")) == {"product_answer"}
    includes = customer(expect={"product_answer": {"product": "fibre-900", "field": "includes"}})
    assert failed_kinds(includes, Outcome(), replies("Unlimited downloads and a router.")) == set()
    assert failed_kinds(includes, Outcome(), replies("It has a router.")) == {"product_answer"}


def test_out_of_scope_means_no_capture_and_no_capture_questions():
    who = customer(expect={"out_of_scope": True})
    assert failed_kinds(who, Outcome()) == set()
    assert failed_kinds(who, Outcome(complaints=[Record("service")])) == {"out_of_scope"}
    assert failed_kinds(who, Outcome(), [asked("complaint_category")]) == {"out_of_scope"}


def test_forgotten_and_handoff_and_no_record():
    forgot = customer(expect={"forgotten": True})
    assert failed_kinds(forgot, Outcome(exists=False)) == set()
    assert failed_kinds(forgot, Outcome(facts={"first_name": "Ugo"})) == {"forgotten"}
    person = customer(expect={"handoff": True, "no_record": ["complaint"]})
    assert failed_kinds(person, Outcome(handoff=True)) == set()
    assert failed_kinds(person, Outcome(complaints=[Record("service")])) == {"handoff", "no_record"}


def test_every_customer_is_checked_for_apologies_silence_and_traps():
    who = customer()
    silent = Exchange(said="hello?", replies=[])
    in_queue = Exchange(said="hello?", replies=[], in_handoff=True)
    sorry = Exchange(said="hi", replies=["Sorry, something went wrong"], apology=True)
    loop = [asked("need_budget")] * 3
    assert failed_kinds(who, Outcome(), [silent, in_queue, sorry, *loop]) == {"no_reply", "apology", "trap"}


def test_customers_type_and_name_only_known_kinds(tmp_path: Path):
    with pytest.raises(scripted.InvalidCustomer, match="payload"):
        customer(turns=["/greet"])
    with pytest.raises(scripted.InvalidCustomer, match="kind"):
        customer(answers={"favourite_colour": "blue"})
    assert customer(answers={"need_budget": ["how much is it?", "12"]}).answer("need_budget", 5) == "12"


def test_the_shipped_customers_load_and_each_half_has_at_least_80():
    for split in scripted.SPLITS:
        assert len(scripted.load(split)) >= 80


def test_the_shipped_product_expectations_name_catalogue_products():
    catalogue = load_catalogue()
    for who in scripted.load():
        specs = who.expect.get("product_answer") or []
        for spec in specs if isinstance(specs, list) else [specs]:
            for product in [spec.get("product"), *spec.get("products", [])]:
                assert product is None or product in catalogue, (who.id, product)


def test_summary_reports_pass_rates_traps_and_complaint_capture():
    a = customer(id="a", expect={"complaint": {"category": "billing"}})
    b = scripted.parse_customer({"id": "b", "about": "x", "turns": ["hi"]}, "heldout")
    figures = summary([a, b], {"a": [Failure("complaint", "x"), Failure("trap", "y")], "b": []})
    assert figures["pass_rate"] == {"dev": 0.0, "heldout": 1.0, "all": 0.5}
    assert figures["traps"] == 1
    assert figures["complaint_capture"]["dev"] == 0.0
    assert figures["failures_by_kind"] == {"complaint": 1, "trap": 1}


def test_out_of_scope_must_be_declined_plainly_not_just_misunderstood():
    who = customer(expect={"out_of_scope": True})
    declines = ("I'm afraid I can't help with that here.",)
    plain = [Exchange(said="exchange rate?", replies=[
        "I'm afraid I can't help with that here. I can help you find a plan."])]
    rephrase = [Exchange(said="exchange rate?", replies=["Sorry, I didn't quite get that."])]
    assert {f.kind for f in score(who, plain, Outcome(), CATALOGUE, (), declines)} == set()
    assert {f.kind for f in score(who, rephrase, Outcome(), CATALOGUE, (), declines)} == {"out_of_scope"}
