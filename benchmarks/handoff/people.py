"""The people of the handoff benchmark, as clients of the real gateway: customers on the
widget's WebSocket, agents signed in to the console, and the console tabs they keep open."""
from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

PASSWORD = "benchmark agent password"


@dataclass
class Customer:
    ws: aiohttp.ClientWebSocketResponse
    tag: str
    pending: dict[str, asyncio.Future] = field(default_factory=dict)
    sent: int = 0

    async def read(self) -> None:
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data.get("type") == "message" and data.get("sender") == "agent":
                future = self.pending.pop(data["text"], None)
                if future is not None and not future.done():
                    future.set_result(time.perf_counter())

    async def say(self, text: str) -> None:
        self.sent += 1
        await self.ws.send_json({"type": "message", "id": f"b{self.sent}", "text": text})


@dataclass
class Tab:
    """One console WebSocket: the queue page, or one conversation."""

    ws: aiohttp.ClientWebSocketResponse
    pending: dict[str, asyncio.Future] = field(default_factory=dict)
    events: int = 0
    watching: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self) -> None:
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            self.events += 1
            data = json.loads(frame.data)
            if data.get("type") == "watching":
                self.watching.set()
            elif data.get("type") == "message" and data.get("sender") == "customer":
                future = self.pending.pop(data["text"], None)
                if future is not None and not future.done():
                    future.set_result(time.perf_counter())


@dataclass
class Agent:
    session: aiohttp.ClientSession
    csrf: str
    queue_tab: Tab | None = None
    tabs: dict[int, Tab] = field(default_factory=dict)


async def new_customer(http: aiohttp.ClientSession, base: str) -> Customer:
    async with http.post(f"{base}/web/session", json={}) as response:
        token = (await response.json())["token"]
    ws = await http.ws_connect(f"{base}/web/ws", max_msg_size=0)
    await ws.send_json({"type": "hello", "token": token})
    while True:
        data = json.loads((await ws.receive()).data)
        if data["type"] == "ready":
            break
    customer = Customer(ws, uuid.uuid4().hex[:12])
    await ws.send_json({"type": "message", "id": "ask", "text": f"I want a human please ({customer.tag})"})
    while True:
        data = json.loads((await ws.receive()).data)
        if data["type"] == "typing" and not data["on"]:
            return customer


async def sign_in(base: str, n: int) -> Agent:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get(f"{base}/staff/login") as response:
        form = await response.text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    async with session.post(f"{base}/staff/login", allow_redirects=False, data={
        "username": f"agent{n}", "password": PASSWORD, "csrf_token": token,
    }) as response:
        assert response.status == 303, await response.text()
    async with session.get(f"{base}/staff/me") as response:
        csrf = (await response.json())["csrf_token"]
    return Agent(session, csrf)


async def open_tab(agent: Agent, base: str, handoff_id: int | None = None) -> Tab:
    ws = await agent.session.ws_connect(f"{base.replace('http', 'ws')}/console/ws", max_msg_size=0)
    tab = Tab(ws)
    asyncio.create_task(tab.read())
    if handoff_id is not None:
        await ws.send_json({"type": "watch", "handoff_id": handoff_id})
        await asyncio.wait_for(tab.watching.wait(), 30)
    return tab


async def post(agent: Agent, url: str, payload: dict[str, Any] | None = None) -> tuple[int, Any]:
    async with agent.session.post(url, json=payload or {}, headers={"X-CSRF-Token": agent.csrf}) as response:
        return response.status, await response.json()


async def gather_limited(limit: int, factories) -> list:
    semaphore = asyncio.Semaphore(limit)

    async def run(factory):
        async with semaphore:
            return await factory()

    return await asyncio.gather(*(run(f) for f in factories))
