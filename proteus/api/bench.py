"""`bench_api`: latency and throughput of the API under concurrent load on loopback.

A real server (uvicorn, `workers` processes, one driver each) is started on a free
loopback port; `proteus.api.load` runs in its own process with `connections` keep-alive
connections. Measured in the same run: the static `/v1/health/live` route (the baseline:
the same app without Neo4j), recommendations (devices and persons alternating), profiles,
and `/v1/health/ready`, whose only work is one trivial Neo4j query: the floor of any route
that reads the graph once per request (`graph_floor_*`).

Every path runs closed loop (each connection sends its next request when the answer
arrives), so its p50/p99 include queueing behind the other 31 connections. With `rate`,
recommendations and the floor route are also sent on a fixed schedule (open loop), whose
latency is what a client offering that rate sees (`fixed_rate_*`, `graph_floor_fixed_*`).
A temporary service key is created for the run and revoked after it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from proteus import keys
from proteus.errors import InputError, ServerError
from proteus.graph import Runner
from proteus.settings import Settings

READY = "/v1/health/ready"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PROTEUS_NEO4J_URI": settings.bolt_uri, "PROTEUS_NEO4J_USER": settings.neo4j_user,
                "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
                "PROTEUS_NEO4J_DATABASE": settings.neo4j_database, "PROTEUS_ENV": settings.env})
    return env


def _start(settings: Settings, port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "proteus.api.app:from_environment", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning", "--no-access-log"],
        env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError("the API server exited while starting")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health/ready", timeout=2).is_success:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise ServerError("the API server did not become ready within 60 s")


@contextmanager
def served(settings: Settings, workers: int = 1) -> Iterator[int]:
    """A real API server (uvicorn) on a free loopback port, ready, stopped on exit."""
    port = _free_port()
    server = _start(settings, port, workers)
    try:
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()


def _load(port: int, paths: list[str], key: str, connections: int, seconds: float,
          rate: float | None = None) -> dict[str, Any]:
    plan = {"host": "127.0.0.1", "port": port, "paths": paths, "key": key,
            "connections": connections, "seconds": seconds, "rate": rate,
            "max_requests": 200_000}
    done = subprocess.run([sys.executable, "-m", "proteus.api.load"], input=json.dumps(plan),
                          capture_output=True, text=True, timeout=seconds + 60, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bench_api(graph: Runner, settings: Settings, seconds: float = 10.0, connections: int = 32,
              workers: int = 2, rate: float | None = None, subjects: int = 500,
              k: int = 10) -> dict[str, Any]:
    """p50_ms, p99_ms, requests_per_s of recommendations, baseline_requests_per_s of the
    static route, and the same figures for profiles."""
    found = graph.read("api/bench_subjects", limit=subjects)
    devices, persons = (found[0]["devices"], found[0]["persons"]) if found else ([], [])
    if not devices:
        raise InputError("no device has watched anything: load data and run "
                         "`proteus recommend build` first")
    recs = [p for pair in zip(devices, persons or devices, strict=False) for p in
            (f"/v1/devices/{pair[0]}/recommendations?k={k}",
             f"/v1/persons/{pair[1]}/recommendations?k={k}" if persons else
             f"/v1/devices/{pair[1]}/recommendations?k={k}")]
    profiles = [p for pair in zip(devices, persons or devices, strict=False) for p in
                (f"/v1/devices/{pair[0]}", f"/v1/persons/{pair[1]}" if persons else
                 f"/v1/devices/{pair[1]}")]
    created = keys.create_key(graph, "bench-api", "service")
    try:
        with served(settings, workers) as port:
            warm = min(3.0, seconds)
            _load(port, recs, created.key, connections, warm)
            _load(port, profiles, created.key, connections, warm)
            static = _load(port, ["/v1/health/live"], created.key, connections, seconds)
            rec = _load(port, recs, created.key, connections, seconds)
            prof = _load(port, profiles, created.key, connections, seconds)
            floor = _load(port, [READY], created.key, connections, seconds)
            fixed = (_load(port, recs, created.key, connections, seconds, rate)
                     if rate else None)
            floor_fixed = (_load(port, [READY], created.key, connections, seconds, rate)
                           if rate else None)
    finally:
        keys.revoke_key(graph, created.id)
    result: dict[str, Any] = {
        "p50_ms": rec["p50_ms"], "p99_ms": rec["p99_ms"],
        "requests_per_s": rec["requests_per_s"],
        "baseline_requests_per_s": static["requests_per_s"],
        "baseline_p50_ms": static["p50_ms"], "baseline_p99_ms": static["p99_ms"],
        "profiles_p50_ms": prof["p50_ms"], "profiles_p99_ms": prof["p99_ms"],
        "profiles_requests_per_s": prof["requests_per_s"],
        "graph_floor_p50_ms": floor["p50_ms"], "graph_floor_p99_ms": floor["p99_ms"],
        "graph_floor_requests_per_s": floor["requests_per_s"],
        "statuses": {"recommendations": rec["statuses"], "profiles": prof["statuses"],
                     "baseline": static["statuses"], "graph_floor": floor["statuses"]},
        "connections": connections, "workers": workers, "seconds": seconds,
        "subjects": len(devices), "cpus": os.cpu_count(),
    }
    if fixed is not None and floor_fixed is not None:
        result.update({"fixed_rate": rate, "fixed_rate_p50_ms": fixed["p50_ms"],
                       "fixed_rate_p99_ms": fixed["p99_ms"],
                       "fixed_rate_requests_per_s": fixed["requests_per_s"],
                       "graph_floor_fixed_p50_ms": floor_fixed["p50_ms"],
                       "graph_floor_fixed_p99_ms": floor_fixed["p99_ms"]})
    return result
