"""`bench_generate`: the generator's throughput (events/s) and peak memory, measured in a
child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# The measured child imports the generator alone, not the command line around it, so its
# peak RSS is the generator's.
_CHILD = (
    "import json, sys; from pathlib import Path; "
    "from proteus.tools.generate import GenerateParams, run; "
    "report = run(GenerateParams(out=Path(sys.argv[2]), devices=int(sys.argv[1]), quiet=True)); "
    "print(json.dumps({'events': report.events, 'seconds': report.seconds}))"
)


def bench_generate(devices: int, out: Path | None) -> dict[str, Any]:
    """Generate `devices` with default knobs in a child process; report speed and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="proteus-bench-") as tmp:
        target = Path(out) if out is not None else Path(tmp) / "data"
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(devices), str(target)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if proc.returncode != 0:
            raise RuntimeError(f"generation failed with exit code {proc.returncode}")
        result = json.loads(output.strip().splitlines()[-1])
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    seconds = float(result["seconds"])
    return {
        "devices": devices,
        "events": int(result["events"]),
        "events_per_s": round(result["events"] / max(seconds, 1e-9), 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "seconds": seconds,
        "bytes": size,
        "out": str(out) if out is not None else None,
    }
