"""The handoff service on fakes: triggers, priority, queue notices, staffed hours, routing turns.

Everything here runs on in-memory parts (profile store, handoff store, broker, accounts)
and a stub engine, so each test names exactly what the customer would notice.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.conversations import APOLOGY, Conversations, Turn
from bot.delivery import Delivery
from bot.engine.client import Button, EngineUnavailable, Reply
from bot.handoff.actions import HandoffService
from bot.handoff.pubsub import QUEUE_TOPIC, InMemoryBroker, conversation_topic
from bot.handoff.rules import DEFAULT_RULES_PATH, RulesError, load_rules
from bot.handoff.unhanded import Unhanded
from memory import InMemoryHandoffStore, InMemoryProfileStore, InMemoryStaffStore, Source
from memory.api.handoffs import AFTER_HOURS, WAITING
from memory.api.staff import StaffMember

ALWAYS = """
staffed_hours: {always: true}
queue: {minutes_per_customer: 4, update_every_seconds: 60}
priority:
  reason: {customer_asked: 10, completely_dissatisfied: 30, default: 5}
  severity: {high: 30, medium: 15, low: 5}
  value_tier: {top: 40, standard: 10, new: 0}
triggers:
  - reason: top_value_open_complaint
    when: {value_tier: [top], open_complaint: true}
    message: "Let me bring in a colleague for you."
  - reason: legal_threat
    when: {text_matches: "\\\\blawyer\\\\b", channels: [web]}
"""

OFFICE_HOURS = """
staffed_hours:
  timezone: Europe/London
  weekly: {mon: ["09:00-17:00"], tue: ["09:00-17:00"]}
  closed_dates: ["2030-01-01"]
"""


@dataclass
class StubEngine:
    """Stands in for EngineClient: canned replies, and a record of every call."""

    replies: list[Reply] = field(default_factory=lambda: [Reply(text="Hello from the bot")])
    calls: list[tuple[str, Any]] = field(default_factory=list)
    down: bool = False
    # The NLU alone (POST /model/parse), read during handoffs: kept apart from `calls`.
    parse_result: dict[str, Any] = field(default_factory=dict)
    parsed: list[str] = field(default_factory=list)
    parse_gate: asyncio.Event | None = None

    async def send(self, conversation_id, text, *, channel, metadata=None):
        self.calls.append(("send", text))
        if self.down:
            raise EngineUnavailable("down")
        return list(self.replies)

    async def pause(self, conversation_id):
        self.calls.append(("pause", conversation_id))

    async def resume(self, conversation_id):
        self.calls.append(("resume", conversation_id))
        if self.down:
            raise EngineUnavailable("down")

    async def execute(self, conversation_id, action):
        self.calls.append(("execute", action))
        if self.down:
            raise EngineUnavailable("down")
        return [Reply(text="How did we do?", buttons=(Button("Good", "/feedback_satisfied"),))]

    async def parse(self, text):
        self.parsed.append(text)
        if self.parse_gate is not None:
            await self.parse_gate.wait()
        if self.down:
            raise EngineUnavailable("down")
        return dict(self.parse_result)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@dataclass
class World:
    service: HandoffService
    conversations: Conversations
    profiles: InMemoryProfileStore
    engine: StubEngine
    broker: InMemoryBroker
    delivered: list[tuple[str, Reply]]
    clock: Clock
    accounts: InMemoryStaffStore

    async def customer(self, name: str, channel: str = "web") -> Turn:
        customer_id = await self.profiles.identify(channel, name)
        return Turn(customer_id, channel, f"{channel}.{name}", "hello")

    async def say(self, turn: Turn, text: str) -> list[str]:
        replies = await self.conversations.handle(Turn(turn.customer_id, turn.channel, turn.conversation_id, text))
        await self.conversations.settled(turn.conversation_id)  # the replies are stored too
        return [r.text for r in replies]

    async def agent(self, username: str) -> StaffMember:
        return await self.accounts.create_account(username, username.title(), "agent", "x", now=self.clock())


def make_world(tmp_path: Path, rules_text: str = ALWAYS, now: datetime | None = None) -> World:
    rules_file = tmp_path / "rules.yml"
    rules_file.write_text(rules_text, encoding="utf-8")
    clock = Clock(now or datetime(2030, 1, 7, 10, 0, tzinfo=timezone.utc))
    profiles = InMemoryProfileStore(clock=clock)
    engine = StubEngine()
    broker = InMemoryBroker()
    delivery = Delivery()
    delivered: list[tuple[str, Reply]] = []

    async def sender(conversation_id: str, reply: Reply) -> None:
        delivered.append((conversation_id, reply))

    delivery.register("web", sender)
    delivery.register("telegram", sender)
    accounts = InMemoryStaffStore()
    service = HandoffService(
        store=InMemoryHandoffStore(), profiles=profiles, engine=engine, delivery=delivery,
        broker=broker, rules=load_rules(rules_file), accounts=accounts,
        satisfaction_question=Reply(text="Fallback question?"), clock=clock,
    )
    conversations = Conversations(profiles, engine)
    conversations.route_handoffs_to(service)
    return World(service, conversations, profiles, engine, broker, delivered, clock, accounts)


def handoff_reply(reason: str = "customer_asked") -> Reply:
    return Reply(text="", custom={"handoff": {"reason": reason}})


# --- turns skip the handoff lookup once a conversation is known to have none -----------

def second_gateway(world: World) -> tuple[HandoffService, Conversations]:
    """Another gateway process on the same databases and the same broker (Redis)."""
    service = HandoffService(
        store=world.service.store, profiles=world.profiles, engine=world.engine,
        delivery=world.service.delivery, broker=world.broker, rules=world.service.rules,
        accounts=world.accounts, clock=world.clock,
    )
    conversations = Conversations(world.profiles, world.engine)
    conversations.route_handoffs_to(service)
    return service, conversations


async def test_a_handoff_opened_by_another_gateway_reaches_this_gateways_turns(tmp_path):
    world = make_world(tmp_path)
    other, other_conversations = second_gateway(world)
    following = await other.unhanded.follow(world.broker)
    try:
        ann = await world.customer("ann")
        await other_conversations.handle(dataclasses.replace(ann, text="hello"))
        assert ann.conversation_id in other.unhanded  # its next turns skip the lookup

        world.engine.replies = [handoff_reply()]
        await world.say(ann, "a person please")  # this gateway queues the conversation
        async with asyncio.timeout(5):
            while ann.conversation_id in other.unhanded:
                await asyncio.sleep(0.01)

        world.engine.calls.clear()
        replies = await other_conversations.handle(dataclasses.replace(ann, text="still there?"))
        assert world.engine.names() == []  # a person has it: not the bot's turn
        assert all("Hello from the bot" not in reply.text for reply in replies)
    finally:
        following.cancel()


async def test_what_a_gateway_knows_of_unhanded_conversations_expires_and_races_lose():
    now = [0.0]
    unhanded = Unhanded(max_age=10, clock=lambda: now[0])
    unhanded.remember("web.a", unhanded.generation)
    assert "web.a" in unhanded
    now[0] = 10.5  # a dropped broker event cannot keep a conversation from staff for long
    assert "web.a" not in unhanded

    looked_up_at = unhanded.generation
    unhanded.forget("web.b")  # a handoff opened while the lookup for web.a was running
    unhanded.remember("web.a", looked_up_at)
    assert "web.a" not in unhanded


# --- triggers --------------------------------------------------------------------------

async def test_the_bots_handoff_payload_queues_the_conversation_and_is_never_shown(tmp_path):
    world = make_world(tmp_path)
    ann = await world.customer("ann")
    world.engine.replies = [Reply(text="Bringing in a colleague."), handoff_reply()]

    shown = await world.say(ann, "a person please")

    assert shown[0] == "Bringing in a colleague."
    assert shown[1].startswith("You're next in the queue; a colleague will be with you in about 4 minutes.")
    assert len(shown) == 2  # nothing for the payload itself
    assert world.engine.names() == ["send", "pause"]
    handoff = await world.service.store.open_for_conversation(ann.conversation_id)
    assert handoff.status == WAITING and handoff.reason == "customer_asked"
    transcript = await world.profiles.transcript(ann.conversation_id)
    assert [m.text for m in transcript][1:] == shown


async def test_the_queue_sentences_are_the_live_responses_a_marketer_edits(tmp_path):
    from bot.handoff.responses import DOMAIN_PATH, LiveResponses

    world = make_world(tmp_path)
    published = {"utter_queue_next": [{"text": "Hang on, {wait} at most and a colleague is here."}],
                 "utter_queue_keep_writing": [{"text": "Keep typing!"}]}
    live = LiveResponses(lambda: published, DOMAIN_PATH)
    world.service.wording = world.service.notifier.wording = live
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]

    shown = await world.say(ann, "a person please")
    assert shown == ["Hang on, 4 minutes at most and a colleague is here. Keep typing!"]
    # A response the published version lacks comes from the shipped domain.yml.
    assert live.say("utter_queue_added") == "Thanks, I've added that for our colleague."
    # The gateway's own sentences are never offered to agents as canned replies.
    assert not [c for c in live.canned() if c.name.startswith("utter_queue_")]


@pytest.mark.parametrize("reason", ["completely_dissatisfied", "repeated_fallback"])
async def test_every_reason_the_bot_gives_queues_with_that_reason(tmp_path, reason):
    world = make_world(tmp_path)
    ann = await world.customer("ann")
    world.engine.replies = [Reply(text="I'm sorry."), handoff_reply(reason)]
    await world.say(ann, "terrible")
    assert (await world.service.store.open_for_conversation(ann.conversation_id)).reason == reason


async def test_a_handoff_payload_alone_is_not_answered_with_an_apology(tmp_path):
    world = make_world(tmp_path)
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]
    shown = await world.say(ann, "agent")
    assert APOLOGY.text not in shown and "queue" in shown[0]


async def test_a_top_value_customer_with_an_open_complaint_is_handed_over_once(tmp_path):
    world = make_world(tmp_path)
    vip = await world.customer("vip")
    await world.profiles.record_purchase(
        vip.customer_id, amount=Decimal("5000"), currency="GBP", product="fibre-1000", source=Source("import"),
    )
    assert (await world.profiles.value(vip.customer_id)).tier == "top"
    assert "Hello from the bot" in await world.say(vip, "hi")  # no complaint yet: the bot goes on
    await world.profiles.open_complaint(
        vip.customer_id, category="billing", description="double charge", severity="high",
        source=Source("web", vip.conversation_id),
    )
    shown = await world.say(vip, "any news?")
    assert shown[:2] == ["Hello from the bot", "Let me bring in a colleague for you."]
    handoff = await world.service.store.open_for_conversation(vip.conversation_id)
    assert handoff.reason == "top_value_open_complaint"
    assert handoff.detail["severity"] == "high" and handoff.detail["value_tier"] == "top"

    agent = await world.agent("ann")
    await world.service.claim(handoff.id, agent)
    await world.service.hand_back(handoff.id, agent)
    shown = await world.say(vip, "thanks")
    assert shown == ["Hello from the bot"]  # the trigger does not fire twice in one conversation


async def test_a_standard_customer_with_a_complaint_is_not_handed_over(tmp_path):
    world = make_world(tmp_path)
    bob = await world.customer("bob")
    await world.profiles.open_complaint(
        bob.customer_id, category="billing", description="x", severity="high", source=Source("web"),
    )
    assert await world.say(bob, "hello") == ["Hello from the bot"]


async def test_a_text_trigger_applies_only_on_its_channels(tmp_path):
    world = make_world(tmp_path)
    web = await world.customer("web-ann", "web")
    telegram = await world.customer("tg-ann", "telegram")
    assert "queue" in (await world.say(web, "I'll call my LAWYER"))[-1]
    assert await world.say(telegram, "I'll call my lawyer") == ["Hello from the bot"]


# --- priority and places -------------------------------------------------------------------

async def test_priority_puts_severity_and_value_before_arrival(tmp_path):
    world = make_world(tmp_path)
    first = await world.customer("first")
    second = await world.customer("second")
    vip = await world.customer("vip")
    await world.profiles.record_purchase(vip.customer_id, amount=2000, currency="GBP", product="p", source=Source("x"))
    world.engine.replies = [handoff_reply()]
    assert "You're next" in (await world.say(first, "person"))[0]
    assert "number 2" in (await world.say(second, "person"))[0]
    assert "You're next" in (await world.say(vip, "person"))[0]  # top value jumps the queue

    order = [h.conversation_id for h in await world.service.store.open_handoffs()]
    assert order == [vip.conversation_id, first.conversation_id, second.conversation_id]
    assert world.service.rules.priority("completely_dissatisfied", "high", "top") == 100
    assert world.service.rules.priority("unheard_of", None, None) == 5


async def test_waiting_customers_hear_their_place_improve_and_what_they_add_reaches_staff(tmp_path):
    world = make_world(tmp_path)
    people = [await world.customer(name) for name in ("a", "b", "c")]
    world.engine.replies = [handoff_reply()]
    for person in people:
        await world.say(person, "person")
    agent = await world.agent("ann")
    watcher = await world.broker.subscribe(conversation_topic(people[2].conversation_id))

    waiting = await world.service.store.open_handoffs()
    await world.service.claim(waiting[0].id, agent)
    await world.service.notifier.idle()
    told = [(cid, r.text) for cid, r in world.delivered if "queue" in r.text]
    # "b" is next now and hears it at once; "c" improved too recently to be told again.
    assert told == [(people[1].conversation_id, "You're next in the queue; a colleague will be with you in about 4 minutes.")]

    world.clock.now += timedelta(minutes=2)
    await world.service.claim(waiting[1].id, agent)
    await world.service.notifier.idle()
    assert world.delivered[-1][0] == people[2].conversation_id and "You're next" in world.delivered[-1][1].text

    calls = len(world.engine.calls)
    assert await world.say(people[2], "still there?") == []  # told a moment ago: no repeat
    assert world.engine.calls[calls:] == []  # the paused bot is not bothered
    events = [await watcher.get(), await watcher.get()]
    assert [(e["sender"], e["text"]) for e in events] == [
        ("bot", "You're next in the queue; a colleague will be with you in about 4 minutes."),
        ("customer", "still there?"),
    ]


async def test_the_estimated_wait_divides_by_agents_online(tmp_path):
    rules = load_rules(DEFAULT_RULES_PATH)
    assert rules.estimated_wait_minutes(1, 1) == 6
    assert rules.estimated_wait_minutes(10, 5) == 12
    assert rules.estimated_wait_minutes(1, 50) == 1


# --- staffed hours --------------------------------------------------------------------------

async def test_outside_staffed_hours_a_complaint_is_recorded_and_a_follow_up_promised(tmp_path):
    saturday = datetime(2030, 1, 5, 12, 0, tzinfo=timezone.utc)
    world = make_world(tmp_path, OFFICE_HOURS, now=saturday)
    ann = await world.customer("ann")
    world.engine.replies = [Reply(text="One moment."), handoff_reply()]

    shown = await world.say(ann, "My bill is wrong and I want a person")

    complaints = await world.profiles.complaints(ann.customer_id)
    assert len(complaints) == 1 and complaints[0].description == "My bill is wrong and I want a person"
    assert shown[1] == (
        "Our team isn't available right now. We're here Mon 09:00-17:00, Tue 09:00-17:00 "
        f"(Europe/London time). I've recorded this as complaint {complaints[0].reference}, and a "
        "colleague will get back to you on Monday from 09:00. In the meantime I'm happy to help with anything else."
    )
    follow_ups = await world.profiles.follow_ups(ann.customer_id)
    assert [(f.complaint_reference, f.due_at) for f in follow_ups] == [
        (complaints[0].reference, datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)),  # Monday 09:00 London
    ]
    assert "pause" not in world.engine.names()  # the bot carries on
    assert await world.service.store.open_for_conversation(ann.conversation_id) is None
    world.engine.replies = [Reply(text="Hello from the bot")]
    assert await world.say(ann, "ok") == ["Hello from the bot"]
    record = (await world.service.store.open_handoffs(), await world.service.store.had_reason(ann.conversation_id, "customer_asked"))
    assert record == ([], True)


async def test_an_open_complaint_is_reused_after_hours_not_duplicated(tmp_path):
    world = make_world(tmp_path, OFFICE_HOURS, now=datetime(2030, 1, 5, 12, 0, tzinfo=timezone.utc))
    ann = await world.customer("ann")
    earlier = await world.profiles.open_complaint(
        ann.customer_id, category="device", description="router", severity="low", source=Source("web"),
    )
    world.engine.replies = [handoff_reply("completely_dissatisfied")]
    shown = await world.say(ann, "awful")
    assert earlier.reference in shown[0]
    assert len(await world.profiles.complaints(ann.customer_id)) == 1


def test_staffed_hours_follow_the_local_time_zone_and_closed_dates(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text(OFFICE_HOURS, encoding="utf-8")
    hours = load_rules(path).hours
    summer_monday_0830_utc = datetime(2030, 7, 1, 8, 30, tzinfo=timezone.utc)  # 09:30 in London (BST)
    assert hours.is_open(summer_monday_0830_utc)
    assert not hours.is_open(datetime(2030, 7, 1, 16, 30, tzinfo=timezone.utc))  # 17:30 BST
    assert not hours.is_open(datetime(2030, 1, 1, 10, 0, tzinfo=timezone.utc))  # a closed Tuesday
    opening = hours.next_opening(datetime(2030, 1, 1, 10, 0, tzinfo=timezone.utc))
    assert (opening.date().isoformat(), opening.hour) == ("2030-01-07", 9)


@pytest.mark.parametrize("text, message", [
    ("staffed_hours: {timezone: Mars/Olympus}", "unknown time zone"),
    ("staffed_hours: {weekly: {mon: ['9-5']}}", "is not HH:MM-HH:MM"),
    ("triggers: [{reason: x, when: {text_matches: '('}}]", "not a valid regex"),
    ("triggers: [{reason: x, when: {moon: full}}]", "unknown"),
    ("priority: {severity: {high: lots}}", "must map names to numbers"),
])
def test_a_malformed_rules_file_is_refused_with_the_reason(tmp_path, text, message):
    path = tmp_path / "r.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=message):
        load_rules(path)


def test_the_shipped_rules_load():
    rules = load_rules(DEFAULT_RULES_PATH)
    assert {t.reason for t in rules.triggers} >= {"top_value_open_complaint"}
    assert not rules.hours.always


# --- routing and agent actions ---------------------------------------------------------------

async def test_while_an_agent_has_the_conversation_the_bot_is_never_asked(tmp_path):
    world = make_world(tmp_path)
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]
    await world.say(ann, "person")
    agent = await world.agent("zoe")
    handoff = await world.service.store.open_for_conversation(ann.conversation_id)
    await world.service.claim(handoff.id, agent)

    world.engine.down = True  # even a broken engine changes nothing for the customer
    for text in ("one", "two"):
        assert await world.say(ann, text) == []
    assert world.engine.names() == ["send", "pause"]
    transcript = await world.profiles.transcript(ann.conversation_id)
    assert [m.text for m in transcript if m.sender == "customer"][-2:] == ["one", "two"]


async def test_queue_events_go_to_every_screen(tmp_path):
    world = make_world(tmp_path)
    screen = await world.broker.subscribe(QUEUE_TOPIC)
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]
    await world.say(ann, "person")
    event = await screen.get()
    assert event["type"] == "handoff" and event["handoff"]["status"] == "waiting"
    assert event["handoff"]["conversation_id"] == ann.conversation_id


async def test_hand_back_falls_back_to_the_configured_question_if_the_engine_cannot_ask(tmp_path):
    world = make_world(tmp_path)
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]
    await world.say(ann, "person")
    agent = await world.agent("zoe")
    handoff = await world.service.store.open_for_conversation(ann.conversation_id)
    await world.service.claim(handoff.id, agent)
    world.engine.down = True
    await world.service.hand_back(handoff.id, agent)
    assert world.delivered[-1][1].text == "Fallback question?"

    world.engine.down = False  # the next turn retries the resume before asking the bot
    world.engine.replies = [Reply(text="Back again")]
    assert await world.say(ann, "hi") == ["Back again"]
    assert world.engine.names()[-2:] == ["resume", "send"]


async def test_after_hours_requests_are_kept_for_the_record(tmp_path):
    world = make_world(tmp_path, OFFICE_HOURS, now=datetime(2030, 1, 5, 12, 0, tzinfo=timezone.utc))
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]
    await world.say(ann, "person")
    records = await world.service.store.follow_ups()
    assert [(h.status, h.outcome) for h in records] == [("closed", AFTER_HOURS)]
    assert records[0].detail["follow_up_from"].startswith("2030-01-07T09:00")


async def test_a_reply_that_cannot_reach_the_customer_is_kept_and_the_agent_is_told(tmp_path):
    from bot.delivery import Undeliverable
    from bot.handoff.actions import Undelivered

    world = make_world(tmp_path)
    ann = await world.customer("ann", "telegram")
    world.engine.replies = [handoff_reply()]
    await world.say(ann, "person")
    agent = await world.agent("zoe")
    handoff = await world.service.store.open_for_conversation(ann.conversation_id)
    await world.service.claim(handoff.id, agent)

    async def blocked(conversation_id, reply):
        raise Undeliverable("the customer has blocked the bot on Telegram")

    world.service.delivery.register("telegram", blocked)
    with pytest.raises(Undelivered, match="saved but could not reach the customer: the customer has blocked"):
        await world.service.reply(handoff.id, agent, "Are you still there?")
    transcript = await world.profiles.transcript(ann.conversation_id)
    assert transcript[-1].sender == "agent" and transcript[-1].text == "Are you still there?"


async def test_the_customers_turn_never_waits_for_the_nlu_during_a_handoff(tmp_path):
    world = make_world(tmp_path)
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]
    await world.say(ann, "person")
    handoff = await world.service.store.open_for_conversation(ann.conversation_id)
    await world.service.claim(handoff.id, await world.agent("zoe"))
    screen = await world.broker.subscribe(conversation_topic(ann.conversation_id))
    world.engine.parse_gate = asyncio.Event()  # the NLU is slow today
    world.engine.parse_result = {"intent": {"name": "complain", "confidence": 0.9}, "entities": [
        {"entity": "complaint_category", "value": "billing", "confidence_entity": 0.8}]}

    async with asyncio.timeout(2):
        assert await world.say(ann, "you charged me twice") == []
    await asyncio.sleep(0.01)
    assert world.engine.parsed == ["you charged me twice"]  # the parse is under way, the turn is done
    assert await world.service.suggestions(handoff.id) == []
    world.engine.parse_gate.set()
    await world.service.capture.idle()
    [suggestion] = await world.service.suggestions(handoff.id)
    assert suggestion["label"] == "billing complaint: 'you charged me twice'"
    events = [screen._events.get_nowait() for _ in range(screen._events.qsize())]
    assert any('"type":"suggestion"' in e for e in events)  # pushed to the agent's screen


async def test_a_parse_that_fails_or_finds_nothing_suggests_nothing(tmp_path):
    world = make_world(tmp_path)
    ann = await world.customer("ann")
    world.engine.replies = [handoff_reply()]
    await world.say(ann, "person")
    handoff = await world.service.store.open_for_conversation(ann.conversation_id)
    world.engine.down = True
    await world.say(ann, "my router is broken")
    world.engine.down = False
    await world.say(ann, "ok thanks")  # nothing the NLU names
    await world.service.capture.idle()
    assert world.engine.parsed == ["my router is broken", "ok thanks"]
    assert await world.service.suggestions(handoff.id) == []
    transcript = await world.profiles.transcript(ann.conversation_id)
    assert [m.text for m in transcript if m.sender == "customer"][-2:] == ["my router is broken", "ok thanks"]
