"""The first remembered conversation, through the real engine, action server and gateway."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
import uuid

import aiohttp
import pytest

from bot.app import create_app
from bot.conversations import APOLOGY
from bot.state import CONVERSATIONS, STORE
from bot.supervisor import RestartBudget
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


async def say(stack: Stack, customer: str, conversation: str, text: str) -> list[str]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{stack.url}/api/v1/messages",
            json={"customer": customer, "conversation": conversation, "text": text},
            headers={"Authorization": f"Bearer {stack.api_key}"},
        ) as response:
            assert response.status == 200, await response.text()
            return [reply["text"] for reply in (await response.json())["replies"]]


async def test_name_is_asked_once_and_remembered_across_a_full_restart(stack: Stack):
    customer = f"crm-{uuid.uuid4().hex[:8]}"

    replies = await say(stack, customer, "first", "hello")
    assert any("first name" in reply for reply in replies), replies
    replies = await say(stack, customer, "first", "my name is Ann")
    assert any("Nice to meet you, Ann" in reply for reply in replies), replies

    stack.restart()

    replies = await say(stack, customer, "second", "hi there")
    assert any("Welcome back, Ann" in reply for reply in replies), replies
    assert not any("first name" in reply for reply in replies), replies


async def test_a_different_customer_is_not_greeted_with_someone_elses_name(stack: Stack):
    await say(stack, "crm-ann", "c1", "hello")
    await say(stack, "crm-ann", "c1", "Ann")
    replies = await say(stack, "crm-bob", "c1", "hello")
    assert not any("Ann" in reply for reply in replies), replies
    assert any("first name" in reply for reply in replies), replies


async def test_when_one_process_dies_the_supervisor_restarts_it_and_the_chat_goes_on(stack: Stack):
    """Issue 14: a kill -9 heals by itself (it used to stop the whole stack)."""
    pids = {
        name: int(pid)
        for line in stack.output
        for name, pid in re.findall(r"starting (\w+) \(pid (\d+)", line)
    }
    assert set(pids) == {"actions", "engine", "gateway"}
    os.killpg(pids["actions"], signal.SIGKILL)
    deadline = time.monotonic() + 120
    while not any("actions is ready again" in line for line in stack.output):
        assert time.monotonic() < deadline, "".join(stack.output[-20:])
        assert stack.process is not None and stack.process.poll() is None
        await asyncio.sleep(0.5)
    assert any("actions exited unexpectedly" in line and "Restarting it" in line for line in stack.output)
    for pid in (pids["engine"], pids["gateway"]):
        os.kill(pid, 0)  # the rest kept running
    replies = await say(stack, "crm-after-crash", "c1", "hello")
    assert replies and not any("went wrong" in reply for reply in replies), replies


def test_a_process_that_keeps_dying_stops_the_stack_after_its_restart_budget():
    now = [0.0]
    budget = RestartBudget(limit=3, window=60, clock=lambda: now[0])
    assert [budget.allows("actions") for _ in range(4)] == [True, True, True, False]
    assert budget.allows("engine")  # each process has its own budget
    now[0] += 61
    assert budget.allows("actions")  # old restarts age out


async def test_action_server_down_gets_a_polite_reply_and_the_turn_is_recorded(
    engine_without_actions, aiohttp_client
):
    gateway = await aiohttp_client(create_app(engine_without_actions))
    response = await gateway.post(
        "/api/v1/messages",
        json={"customer": "crm-down", "text": "hello"},
        headers={"Authorization": f"Bearer {engine_without_actions.api_key}"},
    )
    assert response.status == 200
    assert (await response.json())["replies"] == [APOLOGY.to_json()]
    await gateway.app[CONVERSATIONS].settled()  # replies are stored just after they are sent
    store = gateway.app[STORE]
    customer = await store.find_customer("api", "crm-down")
    conversation = (await store.interactions(customer))[0].conversation_id
    assert [m.text for m in await store.transcript(conversation)] == ["hello", APOLOGY.text]


def test_ctrl_c_stops_all_three_cleanly(stack: Stack):
    pids = [int(pid) for line in stack.output[-40:] for pid in re.findall(r"starting \w+ \(pid (\d+)", line)][-3:]
    assert len(pids) == 3
    assert stack.stop() == 0
    assert any("stopped" in line for line in stack.output[-5:])
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    stack.start()
