"""Closed-loop load with `wrk` (Debian's package: `apt-get install wrk`), the same plan and
result as `proteus.tools.bench.load`.

wrk runs `threads` threads over `connections` keep-alive connections, each sending its next
request when the answer arrives, for `seconds`. A generated Lua script cycles each thread
through `paths` from its own offset (so with fewer requests than paths, no path is asked
twice), sends the key, counts statuses and prints the result as one JSON line. wrk has no
fixed-rate mode (its fork wrk2 does, but no distribution ships it), so open-loop latency is
measured by `proteus.tools.bench.load`; `bench api` runs both on the same path to show they
agree.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from proteus.errors import ConfigError
from proteus.tools.bench.load import Plan, loopback

__all__ = ["available", "run", "version"]

MARK = "PROTEUS-WRK "
_SCRIPT = """
wrk.headers["X-API-Key"] = %(key)s
local paths = {%(paths)s}
local threads = {}
local next_path = 1
statuses = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("first", #threads)
end

function init(args)
  local count = %(threads)d
  next_path = math.floor((first - 1) * #paths / count) + 1
end

function request()
  local path = paths[next_path]
  next_path = next_path %% #paths + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%%d": %%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "statuses": {%%s}, "errors": {"connect": %%d, "read": %%d, ' ..
    '"write": %%d, "timeout": %%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def version() -> str:
    if not available():
        return ""
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
    words = (done.stdout or done.stderr).split()
    return f"wrk {words[1]}" if len(words) > 1 else "wrk"


def _lua(value: str) -> str:
    return json.dumps(value)  # a JSON string of printable ASCII is a valid Lua string


def script(plan: Plan, threads: int) -> str:
    return _SCRIPT % {"key": _lua(plan.key), "paths": ", ".join(_lua(p) for p in plan.paths),
                      "threads": threads, "mark": MARK}


def run(plan: Plan, threads: int = 2) -> dict[str, Any]:
    """`requests`, `seconds`, `requests_per_s`, `p50_ms`, `p99_ms`, `max_ms`, `statuses`
    (and wrk's socket `errors`) of a closed-loop run; `plan.rate` is not supported."""
    if not available():
        raise ConfigError("wrk is not installed (Debian: apt-get install wrk)")
    if not loopback(plan.host):
        raise ValueError(f"load is sent to loopback addresses only, not {plan.host}")
    if plan.rate:
        raise ValueError("wrk runs closed loop only; use proteus.tools.bench.load for a fixed rate")
    threads = max(1, min(threads, plan.connections))
    with tempfile.TemporaryDirectory(prefix="proteus-wrk-") as folder:
        lua = Path(folder) / "plan.lua"
        lua.write_text(script(plan, threads))
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{plan.connections}", f"-d{max(1, round(plan.seconds))}s",
             "--timeout", "10s", "-s", str(lua), f"http://{plan.host}:{plan.port}"],
            capture_output=True, text=True, timeout=plan.seconds + 60, check=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {done.stdout[-300:]} {done.stderr[-300:]}")
    raw = json.loads(line[len(MARK):])
    seconds = raw["duration_us"] / 1e6
    return {"requests": raw["requests"], "seconds": round(seconds, 3),
            "requests_per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
            "p50_ms": round(raw["p50_us"] / 1000, 2), "p99_ms": round(raw["p99_us"] / 1000, 2),
            "max_ms": round(raw["max_us"] / 1000, 2),
            "statuses": dict(sorted(raw["statuses"].items())), "errors": raw["errors"]}
