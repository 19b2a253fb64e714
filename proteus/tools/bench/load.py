"""A small HTTP/1.1 keep-alive load generator for loopback benchmarks.

    python -m proteus.tools.bench.load < plan.json  > result.json

The plan: `{"host", "port", "paths", "key", "connections", "seconds", "max_requests",
"rate"}`. Each connection sends GETs one after another (closed loop) or, with `rate`
(requests/s over all connections), on a fixed schedule whose latency counts from the
scheduled time (open loop, no coordinated omission). Only loopback hosts are accepted;
every run is bounded by `seconds` and `max_requests`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import sys
import time
from typing import Any

from pydantic import BaseModel, Field


class Plan(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    paths: list[str] = Field(min_length=1)
    key: str = ""
    connections: int = Field(default=32, ge=1, le=256)
    seconds: float = Field(default=10.0, gt=0, le=300)
    max_requests: int = Field(default=200_000, ge=1, le=5_000_000)
    rate: float | None = Field(default=None, gt=0)


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _connection(plan: Plan, index: int, deadline: float, budget: list[int],
                      latencies: list[float], statuses: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection(plan.host, plan.port)
    headers = f"Host: {plan.host}\r\n" + (f"X-API-Key: {plan.key}\r\n" if plan.key else "")
    requests = [f"GET {p} HTTP/1.1\r\n{headers}\r\n".encode() for p in plan.paths]
    interval = plan.connections / plan.rate if plan.rate else 0.0
    start = time.perf_counter() + (interval * index / plan.connections)
    n = index
    try:
        while budget[0] > 0:
            scheduled = start + (n - index) // plan.connections * interval if interval else 0.0
            now = time.perf_counter()
            if scheduled > now:
                await asyncio.sleep(scheduled - now)
            if time.perf_counter() >= deadline:
                break
            budget[0] -= 1
            sent = scheduled if interval else time.perf_counter()
            writer.write(requests[n % len(requests)])
            n += plan.connections
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def run(plan: Plan) -> dict[str, Any]:
    if not loopback(plan.host):
        raise ValueError(f"load is sent to loopback addresses only, not {plan.host}")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    budget = [plan.max_requests]
    began = time.perf_counter()
    deadline = began + plan.seconds
    await asyncio.gather(*(_connection(plan, i, deadline, budget, latencies, statuses)
                           for i in range(plan.connections)))
    elapsed = time.perf_counter() - began
    return {"requests": len(latencies), "seconds": round(elapsed, 3),
            "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(_quantile(latencies, 0.50) * 1000, 2),
            "p99_ms": round(_quantile(latencies, 0.99) * 1000, 2),
            "max_ms": round(max(latencies, default=0.0) * 1000, 2),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def main() -> None:
    plan = Plan.model_validate_json(sys.stdin.read())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(plan))))


if __name__ == "__main__":
    main()
