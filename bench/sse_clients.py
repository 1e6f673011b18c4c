"""Helper process of the benchmarks: N SSE clients; prints one JSON list of latencies (ms).

Arguments: base URL, bearer token, clients, events expected per client, and optionally the event type to time
(default bench.tick) and the payload field holding its send time (epoch seconds or ISO 8601; default "sent").
BENCH_SMOKE=1: gives up (non-zero exit) after 45 s instead of 300 s.
"""

import asyncio
import json
import os
import sys
import time
from datetime import datetime

EVENT_TYPE = sys.argv[5] if len(sys.argv) > 5 else "bench.tick"
TIME_FIELD = sys.argv[6] if len(sys.argv) > 6 else "sent"
DEADLINE = 45 if os.environ.get("BENCH_SMOKE") == "1" else 300  # seconds for every event to arrive


def sent_at(value) -> float:
    return float(value) if isinstance(value, int | float) else datetime.fromisoformat(value).timestamp()

import httpx


async def client(base: str, token: str, expected: int, latencies: list, ready: asyncio.Event, counter: list):
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(120, connect=10)) as http:  # noqa: SIM117
        async with http.stream("GET", "/live/events", headers=headers) as response:
            received = 0
            buffer = ""
            async for chunk in response.aiter_text():
                if (not received and "connecté" in chunk) or ": connect" in chunk:
                    counter[0] += 1
                    if counter[0] == counter[1]:
                        ready.set()
                buffer += chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    for line in block.splitlines():
                        if line.startswith("data: "):
                            data = json.loads(line[6:])
                            if data["type"] == EVENT_TYPE:
                                latencies.append((time.time() - sent_at(data["payload"][TIME_FIELD])) * 1000)
                                received += 1
                if received >= expected:
                    return


async def main(base: str, token: str, clients: int, expected: int) -> None:
    latencies: list[float] = []
    ready = asyncio.Event()
    counter = [0, clients]
    tasks = [asyncio.create_task(client(base, token, expected, latencies, ready, counter)) for _ in range(clients)]
    await asyncio.wait_for(ready.wait(), 60)
    print("READY", flush=True)
    await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE)
    print(json.dumps(latencies), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
