"""Customers who type and never click, through the real engine (real NLU), action server and
gateway over the REST API: every class of issue 11, checked in the replies and in the store."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import RestCustomer, Stack

pytestmark = pytest.mark.e2e

# The customer reads these; the eval's question kinds match the same responses.
CATEGORY_QUESTION = "What is it about?"
SEVERITY_QUESTION = "How badly does this affect you?"


def questions(replies: list[str]) -> list[str]:
    return [r for r in replies if r.rstrip().endswith("?")]


class Typist(RestCustomer):
    """A REST customer who keeps the whole transcript, to count repeated questions."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack)
        self.heard: list[str] = []

    async def says(self, text: str) -> str:
        replies = [reply["text"] for reply in await self.say(text)]
        assert replies, f"no reply to {text!r}"
        assert not any("something went wrong on our side" in r for r in replies), replies
        self.heard += replies
        return "\n".join(replies)

    def asked(self, question: str) -> int:
        return sum(question in reply for reply in self.heard)


async def test_a_complaint_is_captured_from_the_first_sentence(stack: Stack):
    una = Typist(stack)
    answer = await una.says("hiya, the wifi box u sent me keeps switching itself off and on, "
                            "its driving me mad")
    assert CATEGORY_QUESTION not in answer, answer
    store, customer = await una.profile()
    try:
        [complaint] = await store.complaints(customer)
        assert complaint.category == "device"
        assert "switching itself off" in complaint.description
    finally:
        await store.close()
    assert complaint.reference in answer


async def test_no_question_is_asked_three_times(stack: Stack):
    vic = Typist(stack)
    await vic.says("i want to make a complaint")
    for mumble in ("hmm", "erm not sure what to say", "ugh", "whatever", "idk"):
        await vic.says(mumble)
    assert all(vic.asked(q) <= 2 for q in set(questions(vic.heard))), vic.heard
    store, customer = await vic.profile()
    try:
        assert len(await store.complaints(customer)) <= 1
    finally:
        await store.close()


async def test_escapes_work_at_every_question(stack: Stack):
    wes = Typist(stack)
    await wes.says("hi, my internet keeps cutting out")
    answer = await wes.says("can i just speak to an actual person pls")
    assert "colleague" in answer, answer
    assert SEVERITY_QUESTION not in answer

    xia = Typist(stack)
    await xia.says("I need a new mobile contract")
    answer = await xia.says("oh wait, what does the unlimited sim cost per month?")
    assert "£20" in answer, answer
    assert "budget" in answer.lower()  # back to the form's question afterwards
    answer = await xia.says("forget it, never mind")
    assert "budget" not in answer.lower(), answer
    store, customer = await xia.profile()
    try:
        [need] = await store.needs(customer)
        assert need.category == "mobile"  # what was clearly stated stays
    finally:
        await store.close()


async def test_a_digression_is_not_stored_as_an_answer(stack: Stack):
    yan = Typist(stack)
    await yan.says("hello, I'm Yan")
    await yan.says("looking for broadband for my flat, about 30 a month")
    answer = await yan.says("my mobile has had no signal since monday and nobody answers the phone")
    store, customer = await yan.profile()
    try:
        [need] = await store.needs(customer)
        assert need.timeframe is None or "signal" not in need.timeframe
        [complaint] = await store.complaints(customer)
        assert "no signal" in complaint.description
    finally:
        await store.close()
    assert "complaint" in answer.lower(), answer


async def test_several_facts_in_one_message_are_all_taken(stack: Stack):
    zoe = Typist(stack)
    answer = await zoe.says("hey im Zoe, zoe.w@example.com, after a tv package for under 15 quid "
                            "a month, need it by next friday")
    # Nothing given is asked for: every part was in the sentence.
    assert not any("first name" in q or "budget" in q or "by when" in q
                   for q in questions(zoe.heard)), answer
    assert "noted your first name and email address" in answer, answer
    store, customer = await zoe.profile()
    try:
        profile = await store.profile(customer)
        assert (profile.get("first_name"), profile.get("email")) == ("Zoe", "zoe.w@example.com")
        [need] = await store.needs(customer)
        assert (need.category, need.budget) == ("tv", "15 GBP/month")
        assert need.timeframe and need.timeframe.startswith("by:")
    finally:
        await store.close()


async def test_corrections_change_the_fact_and_the_need(stack: Stack):
    jon = Typist(stack)
    await jon.says("hello")
    await jon.says("Jon")
    answer = await jon.says("sorry, its John with an h")
    assert "John" in answer, answer
    await jon.says("i'm looking for broadband")
    await jon.says("no i said mobile, not broadband")
    store, customer = await jon.profile()
    try:
        assert (await store.profile(customer)).get("first_name") == "John"
        history = [f.value for f in await store.fact_history(customer, "first_name")]
        assert history == ["John", "Jon"]
        [need] = await store.needs(customer)
        assert need.category == "mobile"
        assert [(c.old_value, c.new_value) for c in need.changes if c.field == "category"] == [("broadband", "mobile")]
    finally:
        await store.close()


@pytest.mark.parametrize(("question", "expected"), [
    ("how much is fibre 900 per month?", r"Fibre 900.*£45"),
    ("whats ur cheapest broadband", r"cheapest broadband is Fibre 100.*£25"),
    ("which is your fastest internet?", r"fastest broadband is Fibre 900.*900 Mbps"),
    ("what do i get with the family bundle", r"Family Bundle.*includes.*TV Add-on"),
    ("difference between fibre 500 and fibre 900?", r"Fibre 500 is £35.*Fibre 900 is £45"),
    ("do you sell samsung phones", r"Yes, we have Samsung Galaxy S25"),
])
async def test_product_questions_are_answered_from_the_catalogue(stack: Stack, question, expected):
    ama = Typist(stack)
    answer = await ama.says(question)
    assert re.search(expected, answer, re.S), answer


async def test_out_of_scope_gets_a_plain_answer_and_nothing_is_recorded(stack: Stack):
    oli = Typist(stack)
    answer = await oli.says("can you tell me the exchange rate from pounds to dollars today")
    assert "can't help with that here" in answer, answer
    answer = await oli.says("what's the weather going to be like tomorrow in leeds")
    assert "can't help with that here" in answer, answer
    store, customer = await oli.profile()
    try:
        assert await store.complaints(customer) == [] and await store.needs(customer) == []
    finally:
        await store.close()


async def test_other_companies_problems_are_out_of_scope_not_complaints(stack: Stack):
    ria = Typist(stack)
    answer = await ria.says("im with virgin and theyve put my bill up again, how do i fight it with them")
    assert "can't help with that here" in answer, answer
    answer = await ria.says("my parcel from asos says delivered but its not here, dpd are useless")
    assert "can't help with that here" in answer, answer
    store, customer = await ria.profile()
    try:
        assert await store.complaints(customer) == []
    finally:
        await store.close()


async def test_answers_in_plain_or_broken_english_never_open_a_second_complaint(stack: Stack):
    ana = Typist(stack)
    await ana.says("I receive bill of 140 pound!! Normally is 32. They write roaming but I was in "
                   "Spain, in EU is include no??")
    await ana.says("I not have")  # at the reference question
    answer = await ana.says("Extremely frustrating")  # at the severity question
    assert "is recorded" in answer, answer
    store, customer = await ana.profile()
    try:
        [complaint] = await store.complaints(customer)  # one, not a second from "I not have"
        assert (complaint.category, complaint.severity) == ("billing", "high")
    finally:
        await store.close()


async def test_a_need_with_details_and_a_question_about_it_later(stack: Stack):
    max_ = Typist(stack)
    answer = await max_.says("Hi, it's Tomasz - tomasz.w@example.com / 07700 900872. Interested "
                             "in a SIM only plan, 20 a month max.")
    assert "budget" not in " ".join(questions(max_.heard)), answer
    await max_.says("no rush")
    store, customer = await max_.profile()
    try:
        [need] = await store.needs(customer)
        assert (need.category, need.budget) == ("mobile", "20 GBP/month")
        assert (await store.profile(customer)).get("email") == "tomasz.w@example.com"
    finally:
        await store.close()
    answer = await max_.says("actually make the budget 25")
    assert "£25" in answer, answer
    store, customer = await max_.profile()
    try:
        [need] = await store.needs(customer)  # amended, not a second need
        assert need.budget == "25 GBP/month"
    finally:
        await store.close()


@pytest.mark.browser
async def test_a_typed_complaint_and_product_question_in_the_web_widget(stack: Stack, page):
    from playwright.async_api import expect

    await page.goto(stack.url + "/")
    await page.get_by_role("button", name="Open chat").click()
    await expect(page.get_by_role("dialog")).to_be_visible()
    box = page.get_by_label("Your message")
    log = page.locator(".log .message")

    async def type_and_wait(text: str, expected: str) -> None:
        before = await log.count()
        await box.fill(text)
        await box.press("Enter")
        await expect(log.filter(has_text=re.compile(expected, re.S)).last).to_be_visible(timeout=20_000)
        assert await log.count() > before

    await type_and_wait("hi im Pia", "Nice to meet you, Pia")
    await type_and_wait("u charged me twice for my broadband this month!!", r"complaint C-\d+")
    await type_and_wait("how much is fibre 500 btw", "Fibre 500 costs £35 a month")
    await page.screenshot(path="tests/artifacts/typed-widget.png")
    texts = await log.all_inner_texts()
    assert not any("something went wrong" in t for t in texts), texts
    assert sum("What is it about?" in t for t in texts) == 0, texts
