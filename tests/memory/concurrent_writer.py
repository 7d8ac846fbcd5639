"""A separate OS process that hammers one customer's facts (used by the concurrency test).

Usage: python concurrent_writer.py URL CUSTOMER_ID NAME COUNT GO_FILE
Waits for GO_FILE to exist so every writer starts at the same moment, then prints
the customer id it got from identify() for a shared identity.
"""
from __future__ import annotations

import asyncio
import os
import sys
import time

from memory import Source, open_store


async def main(url: str, customer_id: str, name: str, count: int, go_file: str) -> None:
    store = await open_store(url)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(go_file):
            if time.monotonic() > deadline:
                raise SystemExit("never told to go")
            await asyncio.sleep(0.005)
        shared = await store.identify("web", "shared-visitor")
        for i in range(count):
            source = Source("web", conversation_id=name, message_id=str(i))
            await store.remember(customer_id, "city", f"{name}-{i}", source=source)
            await store.remember(customer_id, "plan", f"{name}-{i}", source=source)
        print(shared)
    finally:
        await store.close()


if __name__ == "__main__":
    url, customer_id, name, count, go_file = sys.argv[1:6]
    asyncio.run(main(url, customer_id, name, int(count), go_file))
