"""How fast studio edits reach customers, on the whole stack (`make bench-studio`).

    python -m benchmarks.studio [--rounds 5]

1. Wording: save a new text for a response, publish, and ask as a customer until the new
   text comes back. Target: under 2 s from the save to the first customer reply with it.
2. Flow: change a rule (and, separately, add intent examples), wait for Rasa's validator (as
   the page shows it), click publish, and ask until the new behaviour answers: training (warm
   Rasa worker) plus the zero-drop model swap. Then roll it back (its model is stored: swap only).
3. For comparison on the same drafts: a cold `rasa train` (a new process, as the command line
   does it) and `rasa train --finetune <the live model>`.

Figures are printed last as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from benchmarks.throughput import free_port
from bot.settings import REPO_ROOT
from bot.studio.project import read_snapshot
from bot.engine.runner import ColdRasa
from bot.studio.rasa_tools import RasaTools, TrainingFailed

PASSWORD = "bench studio password, long enough"
RULES = "data/rules/basics.yml"
HELP_RULE = "      - intent: help\n      - action: utter_help"
FLOW_RULE = "      - intent: help\n      - action: utter_iamabot"


def start_stack(workdir: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    port = free_port()
    env = dict(
        os.environ, PYTHONPATH=str(REPO_ROOT), RAPPORT_DATA_DIR=str(workdir),
        RAPPORT_MODELS_DIR=str(REPO_ROOT / "var" / "models"), RAPPORT_API_KEY="bench-key",
        RAPPORT_ENGINE_TOKEN="bench-studio-engine-token", RAPPORT_PORT=str(port),
        RAPPORT_ENGINE_PORT=str(free_port()), RAPPORT_ACTIONS_PORT=str(free_port()),
        RAPPORT_RATE_IP_BURST="0", RAPPORT_RATE_SESSION_BURST="0",
        RAPPORT_RATE_NEW_VISITOR_BURST="0", RAPPORT_WEB_MAX_SOCKETS_PER_IP="0",
    )
    subprocess.run([sys.executable, "-m", "bot.accounts", "create-user", "--role", "marketer",
                    "--username", "bench", "--password-stdin"], input=PASSWORD + "\n", env=env,
                   cwd=REPO_ROOT, check=True, capture_output=True, text=True)
    log = open(workdir / "stack.log", "w")  # noqa: SIM115 - the child owns it
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=REPO_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the stack exited; see {workdir / 'stack.log'}")
        if "Rapport is running" in (workdir / "stack.log").read_text():
            return process, f"http://127.0.0.1:{port}", env
        time.sleep(0.5)
    raise SystemExit("the stack did not start")


def stop_stack(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def process_tree_rss_mb(root: int) -> dict[str, float]:
    """RSS of a process and all its descendants, by command (engine, actions, gateway, workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    sizes: dict[str, float] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        rss = next((int(line.split()[1]) for line in status.splitlines()
                    if line.startswith("VmRSS:")), 0)
        name = next((part.decode() for part in command
                     if part.startswith((b"bot", b"rasa", b"nlu"))), "other")
        sizes[name] = round(sizes.get(name, 0) + rss / 1024, 1)
    return sizes


class Marketer:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def sign_in(self) -> None:
        form = await (await self.http.get(f"{self.base}/staff/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        await self.http.post(f"{self.base}/staff/login", data={
            "username": "bench", "password": PASSWORD, "csrf_token": token})
        self.csrf = (await (await self.http.get(f"{self.base}/staff/me")).json())["csrf_token"]

    async def get(self, url: str, **params) -> dict:
        async with self.http.get(self.base + url, params=params) as response:
            return await response.json()

    async def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"X-CSRF-Token": self.csrf}
        async with self.http.post(self.base + path, json=body or {}, headers=headers) as r:
            return r.status, await r.json()

    async def wait_job(self) -> dict:
        while True:
            job = (await self.get("/studio/api/job"))["job"]
            if job["state"] != "running":
                return job
            await asyncio.sleep(0.1)


async def customer_reply(base: str, text: str, customer: str) -> str:
    async with aiohttp.ClientSession() as http:
        body = {"customer": customer, "conversation": str(time.monotonic_ns()), "text": text}
        async with http.post(f"{base}/api/v1/messages", json=body,
                             headers={"Authorization": "Bearer bench-key"}) as r:
            return " ".join(reply["text"] for reply in (await r.json())["replies"])


async def until_reply(base: str, text: str, wanted: str, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if wanted in await customer_reply(base, text, "bench-customer"):
            return time.monotonic()
        await asyncio.sleep(0.02)
    raise SystemExit(f"{wanted!r} never came back for {text!r}")


async def wording_round(marketer: Marketer, base: str, round_: int) -> dict[str, float]:
    text = f"You're welcome! (edit {round_} at {time.time():.0f})"
    started = time.monotonic()
    status, _ = await marketer.post("/studio/api/responses/utter_you_are_welcome",
                                    {"variations": [{"text": text}]})
    assert status == 200
    saved = time.monotonic()
    status, body = await marketer.post("/studio/api/publish",
                                       {"message": f"bench wording {round_}"})
    assert status == 200, body
    published = time.monotonic()
    live = await until_reply(base, "thanks", text)
    return {"save": saved - started, "publish": published - saved, "edit_to_live": live - started}


NLU = "data/nlu/basics.yml"
HELP_EXAMPLES = "  - intent: help\n    examples: |\n"
# Words unique to this run, so that no model or cached component fits the edits already.
RUN = uuid.uuid4().hex[:6]
NEW_EXAMPLES = HELP_EXAMPLES + "".join(f"      - {e}\n" for e in (
    "zorblax", "zorblax please", "I need zorblax", "zorblax me", "can you zorblax",
    "what is zorblax", f"zorblax {RUN}"))


def rule_edit(files: dict[str, str]) -> tuple[str, str]:
    assert HELP_RULE in files[RULES]
    edited = files[RULES].replace(HELP_RULE, FLOW_RULE)
    return RULES, edited.replace("  - rule: help\n", f"  - rule: help {RUN}\n")


def example_edit(files: dict[str, str]) -> tuple[str, str]:
    assert HELP_EXAMPLES in files[NLU]
    return NLU, files[NLU].replace(HELP_EXAMPLES, NEW_EXAMPLES, 1)


async def flow_publish(marketer: Marketer, base: str, edit, probe: str, wanted: str,
                       before: str) -> dict[str, float]:
    """Save an edit that needs a new model, publish it, roll it back; each until customers see."""
    drafts = {p: (await marketer.get("/studio/api/files", path=p))["text"] for p in (RULES, NLU)}
    path, text = edit(drafts)
    await marketer.post("/studio/api/files", {"path": path, "text": text})
    saved = time.monotonic()
    while (await marketer.get("/studio/api/status"))["rasa"]["status"] in ("pending", "running"):
        await asyncio.sleep(0.2)
    validated = time.monotonic()
    clicked = time.monotonic()
    status, body = await marketer.post("/studio/api/publish", {"message": f"bench: {path}"})
    assert status in (200, 202), body
    job = await marketer.wait_job()
    assert job["state"] == "done", job
    live = await until_reply(base, probe, wanted)
    versions = (await marketer.get("/studio/api/versions"))["versions"]
    rollback_clicked = time.monotonic()
    status, body = await marketer.post(f"/studio/api/versions/{versions[1]['number']}/rollback")
    rollback = await marketer.wait_job()
    assert rollback["state"] == "done", rollback
    rolled_back = await until_reply(base, probe, before)
    return {
        "rasa_validate_after_save": validated - saved,
        "click_to_live": live - clicked,
        "train": job["timings"].get("train", 0.0), "swap": job["timings"].get("swap", 0.0),
        "rollback_click_to_live": rolled_back - rollback_clicked,
        "rollback_swap": rollback["timings"].get("swap", 0.0),
    }


async def compare_cold_and_finetune(live_model: Path) -> dict[str, object]:
    """The same two drafts trained by a cold `rasa train`, and --finetune'd from the live model."""
    results: dict[str, object] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    try:
        for name, edit in (("rule_edit", rule_edit), ("example_edit", example_edit)):
            files = read_snapshot(REPO_ROOT)
            path, text = edit(files)
            files[path] = text
            tools = RasaTools(work / "work", work / "models", ColdRasa())
            started = time.monotonic()
            await tools.train(files, f"cold-{name}", lambda f, s: None)
            results[f"{name}_cold_rasa_train"] = round(time.monotonic() - started, 2)
            started = time.monotonic()
            try:
                await tools.train(files, f"finetune-{name}", lambda f, s: None, finetune=live_model)
                results[f"{name}_finetune"] = round(time.monotonic() - started, 2)
            except TrainingFailed as error:
                results[f"{name}_finetune"] = None
                results[f"{name}_finetune_refused"] = str(error).split("Please make sure")[0][:200]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


async def run(rounds: int) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-studio-stack-"))
    process, base, _ = start_stack(workdir)
    try:
        marketer = Marketer(base)
        try:
            await marketer.sign_in()
            live_model = Path((await marketer.get("/studio/api/versions"))["versions"][0]["model"])
            wording = [await wording_round(marketer, base, i) for i in range(rounds)]
            rule = await flow_publish(marketer, base, rule_edit, "help", "Yes, I'm a bot",
                                      "I can help you find the right broadband")
            example = await flow_publish(marketer, base, example_edit, "zorblax please",
                                         "I can help you find the right broadband",
                                         "Sorry, I didn't quite get that")
            rss = process_tree_rss_mb(process.pid)
        finally:
            await marketer.http.close()
    finally:
        stop_stack(process)
    comparison = await compare_cold_and_finetune(live_model)
    edit_to_live = [r["edit_to_live"] for r in wording]

    def median(key: str) -> float:
        return round(statistics.median(r[key] for r in wording), 3)

    without_worker = round(sum(v for k, v in rss.items() if k != "bot.engine.worker"), 1)
    return {
        "wording_edit_to_live_s": {"median": median("edit_to_live"),
                                   "max": round(max(edit_to_live), 3), "rounds": rounds,
                                   "save_median": median("save"),
                                   "publish_median": median("publish")},
        "wording_target_met": max(edit_to_live) < 2.0,
        "flow_rule_edit_s": {key: round(value, 2) for key, value in rule.items()},
        "flow_example_edit_s": {key: round(value, 2) for key, value in example.items()},
        **comparison,
        "rss_mb_after_publishing": {
            **rss, "total": round(sum(rss.values()), 1),
            "total_without_studio_worker": without_worker},
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    figures = asyncio.run(run(args.rounds))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
