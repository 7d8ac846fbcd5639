"""Two OS processes writing the same customer's facts at once never lose an update."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from memory import open_store

WRITER = Path(__file__).with_name("concurrent_writer.py")
REPO = Path(__file__).resolve().parents[2]
WRITES = 60


async def test_concurrent_processes_lose_no_fact(sql_url: str, tmp_path: Path):
    store = await open_store(sql_url)
    try:
        customer = await store.identify("web", "contended")
        go = tmp_path / "go"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        writers = [
            await asyncio.create_subprocess_exec(
                sys.executable, str(WRITER), sql_url, customer, name, str(WRITES), str(go),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            )
            for name in ("alpha", "beta")
        ]
        await asyncio.sleep(1.0)  # let both import and connect, then release them together
        go.touch()
        results = [await asyncio.wait_for(w.communicate(), timeout=120) for w in writers]
        for writer, (_, stderr) in zip(writers, results):
            assert writer.returncode == 0, stderr.decode()
        shared_ids = {stdout.decode().strip() for stdout, _ in results}
        assert len(shared_ids) == 1, "both processes must get the same customer for one identity"

        for key in ("city", "plan"):
            history = await store.fact_history(customer, key)
            values = {fact.value for fact in history}
            assert values == {f"{n}-{i}" for n in ("alpha", "beta") for i in range(WRITES)}
            assert len(history) == 2 * WRITES
            latest = max(fact.observed_at for fact in history)
            newest = {fact.value for fact in history if fact.observed_at == latest}
            assert (await store.profile(customer)).get(key) in newest
    finally:
        await store.close()
