"""Fuzzing the web chat socket (issue 14): whatever a client sends, the socket answers with
protocol frames, never an internal error, never a hang, and keeps serving the tab."""

from __future__ import annotations

import json
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

SERVER_FRAMES = {"ready", "session", "ack", "message", "typing", "error", "pong"}
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RECEIVE_TIMEOUT = 10  # a hang fails the case

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
frame_types = st.sampled_from(["message", "new_conversation", "ping", "hello", "typing"]) | st.text(max_size=12)
frames = st.fixed_dictionaries(
    {"type": frame_types | json_values},
    optional={
        "id": st.from_regex(r"[A-Za-z0-9_.:-]{1,100}", fullmatch=True) | json_values,
        "text": st.text(max_size=300) | json_values,
        "title": st.text(max_size=250) | json_values,
        "token": st.text(max_size=50),
    },
)
raw_frames = (
    frames.map(json.dumps)
    | json_values.map(json.dumps)
    | st.text(max_size=300)
    | st.binary(max_size=200)
)


def new_token(base_url: str) -> str:
    request = urllib.request.Request(f"{base_url}/web/session", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["token"]


def frames_until_pong(ws) -> list[dict]:
    ws.send(json.dumps({"type": "ping"}))
    received = []
    while True:
        frame = json.loads(ws.recv(timeout=RECEIVE_TIMEOUT))
        assert isinstance(frame, dict) and frame.get("type") in SERVER_FRAMES, frame
        received.append(frame)
        if frame["type"] == "pong":
            return received


@pytest.fixture(scope="module")
def ws_url(live_gateway) -> str:
    return live_gateway.url.replace("http://", "ws://") + "/web/ws"


@FUZZ
@given(raw=raw_frames)
def test_any_frame_after_hello_gets_protocol_frames_and_the_socket_lives_on(live_gateway, ws_url, raw):
    with connect(ws_url, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "hello", "token": new_token(live_gateway.url)}))
        assert json.loads(ws.recv(timeout=RECEIVE_TIMEOUT))["type"] == "ready"
        ws.send(raw)
        answered = frames_until_pong(ws)
        assert not [f for f in answered if f["type"] == "error" and f.get("code") == "failed"], answered


@FUZZ
@given(first=raw_frames)
def test_any_first_frame_is_a_hello_or_a_clear_refusal(live_gateway, ws_url, first):
    with connect(ws_url, open_timeout=10) as ws:
        ws.send(first)
        try:
            frame = json.loads(ws.recv(timeout=RECEIVE_TIMEOUT))
            assert frame["type"] in ("ready", "error"), frame
            if frame["type"] == "error":
                assert frame["code"] in ("bad_hello", "bad_session"), frame
                ws.recv(timeout=RECEIVE_TIMEOUT)  # then the close
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code in (4400, 4401), closed
