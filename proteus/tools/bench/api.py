"""`bench_api`: what the API serves under load on loopback, against a route that needs no
Neo4j (the static `/v1/health/live`) and one whose only work is one trivial Neo4j query (the
floor, `/v1/health/ready`), all in the same run.

A real server (uvicorn, `workers` processes, one driver each) runs on a free loopback port.
Closed-loop phases (each connection sends its next request when the answer arrives) run with
wrk (`proteus.tools.bench.wrk`) at `connections` keep-alive connections; fixed-rate
(open-loop) phases with `proteus.tools.bench.load`, whose latency counts from each request's
scheduled time, so a slow answer cannot hide the queue behind it. In order:

    static       /health/live, closed loop                              static_*
    floor        /health/ready, closed loop                             graph_floor_*
    neighbours   /contents/{id}/neighbours over every content: closed loop, then at
                 `neighbours_rate` (1,000/s)                             neighbours_*
    recs zipf    device recommendations, devices drawn Zipf(s) over every device (YCSB's
                 s = 0.99), after a warm-up of as many requests drawn independently, at
                 `rate` (500/s)                                          recs_zipf_*
    recs miss    device recommendations, each device asked once (never cached), closed
                 loop                                                    recs_miss_*
    profiles     device and person profiles, closed loop                 profiles_*
    floor fixed  /health/ready at `rate`                                 graph_floor_fixed_*
    agreement    proteus.tools.bench.load closed loop on the floor and on neighbours, beside wrk

A temporary service key is created for the run and revoked after it.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import numpy as np

from proteus import keys
from proteus.errors import InputError, ServerError
from proteus.graph import Runner
from proteus.settings import Settings
from proteus.tools.bench import wrk
from proteus.tools.bench.load import Plan

__all__ = ["bench_api", "closed", "load", "repeat_share", "served", "zipf"]

READY = "/v1/health/ready"
START_TIMEOUT_S = 600  # imports, then the neighbour index and the catalog, on a shared machine
HEALTHCHECK_S = 60  # uvicorn kills a worker silent for longer (5 s by default)
LIVE = "/v1/health/live"
TARGETS = {"neighbours_p99_ms": 10.0, "neighbours_vs_static": 0.5, "recs_zipf_p99_ms": 25.0,
           "recs_miss_vs_floor": 0.9}


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
         "--log-level", "warning", "--no-access-log",
         "--timeout-worker-healthcheck", str(HEALTHCHECK_S)],
        env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError("the API server exited while starting")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{READY}", timeout=2).is_success:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise ServerError(f"the API server did not become ready within {START_TIMEOUT_S} s")


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


def load(port: int, paths: list[str], key: str, connections: int, seconds: float,
         rate: float | None = None, max_requests: int = 200_000) -> dict[str, Any]:
    """`proteus.tools.bench.load` in its own process (closed loop, or open loop at `rate`)."""
    plan = {"host": "127.0.0.1", "port": port, "paths": paths, "key": key,
            "connections": connections, "seconds": seconds, "rate": rate,
            "max_requests": max_requests}
    done = subprocess.run([sys.executable, "-m", "proteus.tools.bench.load"],
                          input=json.dumps(plan), capture_output=True, text=True,
                          timeout=seconds + 60, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def closed(port: int, paths: list[str], key: str, connections: int,
           seconds: float) -> dict[str, Any]:
    """A closed-loop phase with wrk, or with `proteus.tools.bench.load` where wrk is missing."""
    if wrk.available():
        return wrk.run(Plan(port=port, paths=paths, key=key, connections=connections,
                            seconds=seconds))
    return load(port, paths, key, connections, seconds)


def zipf(items: list[str], n: int, s: float, rng: np.random.Generator) -> list[str]:
    """`n` draws over `items`, the r-th most popular with weight 1 / r^s; which item is
    r-th is a random permutation."""
    weights = 1.0 / np.arange(1, len(items) + 1, dtype=np.float64) ** s
    rank_of = rng.permutation(len(items))
    draws = rng.choice(len(items), size=n, p=weights / weights.sum())
    return [items[int(rank_of[d])] for d in draws]


def repeat_share(warm: list[str], measured: list[str]) -> float:
    """The share of measured requests whose subject was asked before (warm-up included)."""
    seen = set(warm)
    repeats = 0
    for subject in measured:
        repeats += subject in seen
        seen.add(subject)
    return round(repeats / len(measured), 4) if measured else 0.0


def _figures(prefix: str, result: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_p50_ms": result["p50_ms"], f"{prefix}_p99_ms": result["p99_ms"],
            f"{prefix}_requests_per_s": result["requests_per_s"]}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def bench_api(graph: Runner, settings: Settings, seconds: float = 10.0, connections: int = 32,
              workers: int = 2, rate: float = 500.0, neighbours_rate: float = 1000.0,
              skew: float = 0.99, seed: int = 7, k: int = 10,
              progress: bool = False) -> dict[str, Any]:
    """The figures above, their ratios and whether each target is met."""
    population = graph.read("tools/bench_population")
    devices = list(population[0]["devices"]) if population else []
    contents = list(population[0]["contents"]) if population else []
    found = graph.read("tools/bench_subjects", limit=500)
    persons = list(found[0]["persons"]) if found else []
    if not devices or not contents:
        raise InputError("no devices or contents: load data and run `proteus recommend build` "
                         "first")
    rng = np.random.default_rng(seed)
    per_phase = max(1, round(rate * seconds))
    warm_subjects = zipf(devices, per_phase, skew, rng)
    zipf_subjects = zipf(devices, per_phase, skew, rng)
    asked = set(warm_subjects) | set(zipf_subjects)
    unseen = [d for d in devices if d not in asked]
    random.Random(seed).shuffle(unseen)

    def recs(subjects: list[str]) -> list[str]:
        return [f"/v1/devices/{d}/recommendations?k={k}" for d in subjects]

    neighbours = [f"/v1/contents/{c}/neighbours?k={k}" for c in contents]
    profiles = [p for pair in zip(devices[:500], persons or devices[:500], strict=False)
                for p in (f"/v1/devices/{pair[0]}", f"/v1/persons/{pair[1]}" if persons
                          else f"/v1/devices/{pair[1]}")]
    misses = recs(unseen[:100_000])

    def say(what: str) -> None:
        if progress:
            print(f"bench api: {what}", file=sys.stderr)

    created = keys.create_key(graph, "bench-api", "service")
    key = created.key
    try:
        with served(settings, workers) as port:
            say("warming up")
            closed(port, neighbours, key, connections, min(2.0, seconds))
            closed(port, profiles, key, connections, min(2.0, seconds))
            say("static route")
            static = closed(port, [LIVE], key, connections, seconds)
            say("one-query floor")
            floor = closed(port, [READY], key, connections, seconds)
            say("neighbours")
            nb_closed = closed(port, neighbours, key, connections, seconds)
            nb_fixed = load(port, neighbours, key, connections, seconds, neighbours_rate)
            say(f"recommendations: Zipf warm-up of {len(warm_subjects):,} requests")
            load(port, recs(warm_subjects), key, connections, max(seconds * 6, 60.0),
                 max_requests=len(warm_subjects))
            say("recommendations: Zipf at the fixed rate")
            recs_zipf = load(port, recs(zipf_subjects), key, connections, seconds, rate)
            say("recommendations: every request a miss")
            recs_miss = closed(port, misses, key, connections, seconds)
            say("profiles")
            prof = closed(port, profiles, key, connections, seconds)
            say("one-query floor at the fixed rate")
            floor_fixed = load(port, [READY], key, connections, seconds, rate)
            say("agreement of proteus.tools.bench.load with wrk")
            floor_load = load(port, [READY], key, connections, seconds)
            nb_load = load(port, neighbours, key, connections, seconds)
    finally:
        keys.revoke_key(graph, created.id)
    result: dict[str, Any] = {
        "neighbours_p50_ms": nb_fixed["p50_ms"], "neighbours_p99_ms": nb_fixed["p99_ms"],
        "neighbours_rate": neighbours_rate,
        "neighbours_fixed_requests_per_s": nb_fixed["requests_per_s"],
        "neighbours_requests_per_s": nb_closed["requests_per_s"],
        "neighbours_closed_p50_ms": nb_closed["p50_ms"],
        "neighbours_closed_p99_ms": nb_closed["p99_ms"],
        "recs_zipf_p50_ms": recs_zipf["p50_ms"], "recs_zipf_p99_ms": recs_zipf["p99_ms"],
        "recs_zipf_requests_per_s": recs_zipf["requests_per_s"], "recs_zipf_rate": rate,
        "recs_zipf_skew": skew, "recs_zipf_repeat_share":
            repeat_share(warm_subjects, zipf_subjects[:recs_zipf["requests"]]),
        **_figures("recs_miss", recs_miss),
        "recs_miss_repeat_share": round(max(0, recs_miss["requests"] - len(misses))
                                        / max(recs_miss["requests"], 1), 4),
        **_figures("graph_floor", floor),
        "graph_floor_fixed_p50_ms": floor_fixed["p50_ms"],
        "graph_floor_fixed_p99_ms": floor_fixed["p99_ms"],
        **_figures("static", static),
        **_figures("profiles", prof),
        "neighbours_vs_static": _ratio(nb_closed["requests_per_s"], static["requests_per_s"]),
        "recs_miss_vs_floor": _ratio(recs_miss["requests_per_s"], floor["requests_per_s"]),
        "load_tool": (f"{wrk.version()} (closed loop) + proteus.tools.bench.load (fixed rate)"
                      if wrk.available() else "proteus.tools.bench.load (wrk not installed)"),
        "agreement": {
            name: {"wrk_requests_per_s": a["requests_per_s"],
                   "load_requests_per_s": b["requests_per_s"],
                   "ratio": _ratio(b["requests_per_s"], a["requests_per_s"]),
                   "wrk_p50_ms": a["p50_ms"], "load_p50_ms": b["p50_ms"]}
            for name, a, b in (("graph_floor", floor, floor_load),
                               ("neighbours", nb_closed, nb_load))},
        "statuses": {"static": static["statuses"], "graph_floor": floor["statuses"],
                     "neighbours": nb_closed["statuses"],
                     "neighbours_fixed": nb_fixed["statuses"],
                     "recs_zipf": recs_zipf["statuses"], "recs_miss": recs_miss["statuses"],
                     "profiles": prof["statuses"], "graph_floor_fixed": floor_fixed["statuses"]},
        "connections": connections, "workers": workers, "seconds": seconds,
        "devices": len(devices), "contents": len(contents), "cpus": os.cpu_count(),
    }
    result["meets"] = {
        "neighbours_p99_ms": result["neighbours_p99_ms"] <= TARGETS["neighbours_p99_ms"],
        "neighbours_vs_static": (result["neighbours_vs_static"] or 0)
        >= TARGETS["neighbours_vs_static"],
        "recs_zipf_p99_ms": result["recs_zipf_p99_ms"] <= TARGETS["recs_zipf_p99_ms"],
        "recs_miss_vs_floor": (result["recs_miss_vs_floor"] or 0)
        >= TARGETS["recs_miss_vs_floor"],
    }
    return result

