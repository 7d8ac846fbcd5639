"""Scripted customers who type, replayed through the real stack over the REST API, and scored.

    python -m benchmarks.eval_conversations                  # every customer, dev and held-out
    python -m benchmarks.eval_conversations --split heldout  # one half
    python -m benchmarks.eval_conversations --only dev-007 --verbose

Starts the engine, action server and gateway (`python -m bot run`, training if needed) on
SQLite in a temporary data directory, replays the customers of benchmarks/conversations/
(four at a time, one customer reference each), then reads the profile and handoff stores
to score them (benchmarks/conversations/scoring.py). Prints each failing customer, then,
last, one JSON line. Exits 0 however many customers fail; non-zero when the stack cannot start.

Replay: after each reply, if the bot's last question is of a kind the customer has an answer
for (`answers`, or `persona` for first_name/email/phone), the customer answers it; otherwise,
and for any kind with no answer given, they go on with their next scripted turn, and stop
when none is left. At most MAX_ANSWERS answers per customer, so a looping bot ends. While a
handoff is open the customer still types their remaining turns but answers no question.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

from benchmarks.conversations import customers as scripted
from benchmarks.conversations.products import load_catalogue
from benchmarks.conversations.questions import QuestionKinds, normalise
from benchmarks.conversations.report import summary, transcript
from benchmarks.conversations.scoring import DATA_KINDS, Exchange, Outcome, Record, score
from benchmarks.throughput import free_port, wait_answered, wait_http
from bot.channels.rest import conversation_id_for
from bot.conversations import APOLOGY
from bot.channels.rest.integrations import DEVELOPMENT, Integration
from bot.settings import REPO_ROOT, Settings
from memory import HandoffStore, open_staff_database, open_store

logger = logging.getLogger(__name__)

API_KEY = "eval-conversations-key"
CONCURRENCY = 4
MAX_ANSWERS = 12
MAX_MESSAGES = scripted.MAX_TURNS + MAX_ANSWERS
IDENTITY = frozenset(scripted.PERSONA_KINDS)
ALWAYS_STAFFED = (
    "staffed_hours: {always: true}\nqueue: {minutes_per_customer: 5, update_every_seconds: 30}\n"
)
CHANNEL = Integration(DEVELOPMENT).identity_channel


def stack_env(workdir: Path) -> dict[str, str]:
    (workdir / "handoff-rules.yml").write_text(ALWAYS_STAFFED, encoding="utf-8")
    return dict(
        os.environ, PYTHONPATH=str(REPO_ROOT), RAPPORT_DATA_DIR=str(workdir),
        RAPPORT_MODELS_DIR=str(REPO_ROOT / "var" / "models"), RAPPORT_API_KEY=API_KEY,
        RAPPORT_PORT=str(free_port()), RAPPORT_ENGINE_PORT=str(free_port()),
        RAPPORT_ACTIONS_PORT=str(free_port()), RAPPORT_ENGINE_TOKEN="eval-engine-token",
        # Staff are always there, so asking for a person opens a handoff at any hour.
        RAPPORT_HANDOFF_RULES=str(workdir / "handoff-rules.yml"), RAPPORT_TELEGRAM_TOKEN="",
        RAPPORT_RATE_IP_BURST="0", RAPPORT_RATE_SESSION_BURST="0",
        RAPPORT_RATE_NEW_VISITOR_BURST="0", RAPPORT_WEB_MAX_SOCKETS_PER_IP="0",
    )


def start_stack(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=REPO_ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{env['RAPPORT_PORT']}"
    url, headers = f"{base}/api/v1/messages", {"Authorization": f"Bearer {API_KEY}"}
    try:
        wait_http(f"{base}/health", process=process)
        wait_answered(url, headers)
    except SystemExit as error:
        stop_stack(process)
        tail = "".join(log_path.read_text(errors="replace").splitlines(keepends=True)[-30:])
        raise SystemExit(f"the stack did not start ({error}); last lines of its log:\n{tail}") from None
    return process, url, headers


def stop_stack(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def persona_gives(customer: scripted.Customer, text: str) -> set[str]:
    """Which of the persona's facts the message states (by value)."""
    said, gives = normalise(text), set()
    name, email, phone = (customer.persona.get(k, "") for k in ("first_name", "email", "phone"))
    if name and re.search(rf"\b{re.escape(name.lower())}\b", said):
        gives.add("first_name")
    if email and email.lower() in said:
        gives.add("email")
    if phone and len(digits := re.sub(r"\D", "", phone)) >= 7 and digits[-9:] in re.sub(r"\D", "", said):
        gives.add("phone")
    return gives


class Replay:
    """Plays the customers against the running stack and reads back what was recorded."""

    def __init__(self, url: str, headers: dict[str, str], store, handoffs: HandoffStore,
                 kinds: QuestionKinds, run_id: str) -> None:
        self.url, self.headers, self.store, self.handoffs = url, headers, store, handoffs
        self.kinds, self.run_id = kinds, run_id
        self.handed_off: set[str] = set()

    def reference(self, customer: scripted.Customer) -> str:
        return f"eval-{self.run_id}-{customer.id}"

    async def send(self, session: aiohttp.ClientSession, customer: scripted.Customer,
                   text: str) -> tuple[list[str], str | None]:
        body = {"customer": self.reference(customer), "text": text}
        try:
            async with session.post(self.url, json=body, headers=self.headers) as response:
                if response.status != 200:
                    return [], f"HTTP {response.status}: {(await response.text())[:120]}"
                replies = (await response.json()).get("replies") or []
                return [str(reply.get("text") or "") for reply in replies], None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            return [], f"{type(error).__name__}"

    async def customer_id(self, customer: scripted.Customer) -> str | None:
        return await self.store.find_customer(CHANNEL, self.reference(customer))

    async def handoff_open(self, customer: scripted.Customer) -> bool:
        customer_id = await self.customer_id(customer)
        if customer_id is None:
            return False
        found = await self.handoffs.open_for_conversation(conversation_id_for(customer_id, None))
        if found is not None:
            self.handed_off.add(customer.id)
        return found is not None

    async def known_facts(self, customer: scripted.Customer) -> frozenset[str]:
        customer_id = await self.customer_id(customer)
        if customer_id is None:
            return frozenset()
        profile = await self.store.profile(customer_id)
        return frozenset(key for key in profile.facts if profile.knows(key))

    async def converse(self, session: aiohttp.ClientSession,
                       customer: scripted.Customer) -> list[Exchange]:
        pending, exchanges = list(customer.turns), []
        answered, answers, last_kind, in_handoff = Counter(), 0, None, False
        while len(exchanges) < MAX_MESSAGES:
            answer = None
            if last_kind and not in_handoff and answers < MAX_ANSWERS:
                answer = customer.answer(last_kind, answered[last_kind])
            if answer is not None:
                gives = set()
                if customer.answer_gives(last_kind, answered[last_kind]):
                    gives = {last_kind} & DATA_KINDS
                exchange = Exchange(said=answer, replies=[], answered=last_kind,
                                    gives=frozenset(gives | persona_gives(customer, answer)))
                answered[last_kind] += 1
                answers += 1
            elif pending:
                turn = pending.pop(0)
                exchange = Exchange(said=turn.say, replies=[], new=turn.new,
                                    gives=frozenset(turn.gives | persona_gives(customer, turn.say)))
            else:
                break
            exchange.in_handoff = in_handoff
            exchange.replies, exchange.error = await self.send(session, customer, exchange.said)
            exchange.apology = APOLOGY.text in exchange.replies
            asked = [kind for kind in map(self.kinds.kind_of, exchange.replies) if kind]
            exchange.asked = list(dict.fromkeys(asked))
            exchange.questions = [(kind, normalise(reply)) for reply in exchange.replies
                                  if (kind := self.kinds.kind_of(reply))]
            if IDENTITY & set(asked):
                exchange.known = await self.known_facts(customer)
            last_kind = asked[-1] if asked else None
            in_handoff = in_handoff or await self.handoff_open(customer)
            exchanges.append(exchange)
        return exchanges

    async def outcome(self, customer: scripted.Customer) -> Outcome:
        customer_id = await self.customer_id(customer)
        handoff = customer.id in self.handed_off or await self.handoff_open(customer)
        if customer_id is None:
            return Outcome(exists=False, handoff=handoff)
        profile = await self.store.profile(customer_id)
        complaints = await self.store.complaints(customer_id)
        needs = await self.store.needs(customer_id)
        return Outcome(
            facts={key: fact.value for key, fact in profile.facts.items()},
            complaints=[Record(c.category, severity=c.severity, order_ref=c.order_ref)
                        for c in complaints],
            needs=[Record(n.category, budget=n.budget, timeframe=n.timeframe) for n in needs],
            handoff=handoff,
        )


async def evaluate(url: str, headers: dict[str, str], profile_db_url: str, customers: list, *,
                   verbose: bool) -> dict:
    kinds = QuestionKinds.from_domain(REPO_ROOT / "domain.yml")
    catalogue = load_catalogue()
    fallbacks = ("Sorry, I didn't quite get that",)
    declines = kinds.first_sentences("utter_out_of_scope")
    store = await open_store(profile_db_url)
    staff_db = open_staff_database(profile_db_url)
    replay = Replay(url, headers, store, staff_db.handoffs, kinds, os.urandom(3).hex())
    gate = asyncio.Semaphore(CONCURRENCY)
    results: dict[str, list] = {}

    async def one(session: aiohttp.ClientSession, customer: scripted.Customer) -> None:
        async with gate:
            exchanges = await replay.converse(session, customer)
            outcome = await replay.outcome(customer)
        failures = score(customer, exchanges, outcome, catalogue, fallbacks, declines)
        results[customer.id] = failures
        if failures:
            kinds_failed = sorted({f.kind for f in failures})
            print(f"FAIL {customer.id} [{', '.join(kinds_failed)}] {customer.about}", flush=True)
            for failure in failures:
                print(f"    {failure.kind}: {failure.detail}", flush=True)
        elif verbose and len(customers) == 1:
            print(f"PASS {customer.id} {customer.about}", flush=True)
        if verbose and (failures or len(customers) == 1):
            print(transcript(exchanges), flush=True)

    timeout = aiohttp.ClientTimeout(total=120)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await asyncio.gather(*(one(session, customer) for customer in customers))
    finally:
        await store.close()
        await staff_db.close()
    return summary(customers, results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--only", metavar="ID", help="replay one customer")
    parser.add_argument("--verbose", action="store_true",
                        help="print each failing conversation (with --only, pass or fail)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    customers = scripted.load(args.split, args.only)
    if not customers:
        raise SystemExit(f"no customer matches --split {args.split} --only {args.only}")
    workdir = Path(tempfile.mkdtemp(prefix="rapport-eval-"))
    env = stack_env(workdir)
    started = time.monotonic()
    try:
        process, url, headers = start_stack(env, workdir / "stack.log")
        try:
            figures = asyncio.run(evaluate(url, headers, Settings.from_env(env).profile_db_url,
                                           customers, verbose=args.verbose))
        finally:
            stop_stack(process)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
