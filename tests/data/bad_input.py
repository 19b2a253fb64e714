"""A corpus of hostile and careless input for ingest, written on demand (some cases are large
or are file-system shapes a repository cannot hold: a 10 MB field, a symlink loop).

`write(folder, devices, contents)` fills `folder` and returns what each file is expected to
do: `fails` (the whole file refused, with a one-line reason) or `rows` (read row by row).
`devices` and `contents` are ids from a loaded dataset, so that bad rows about real devices
would change decisions if they got through.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

CYPHER = "x') DETACH DELETE n //"


def _lines(path: Path, rows: list[Any], end: str = "\n", bom: bool = False) -> None:
    text = end.join(r if isinstance(r, str) else json.dumps(r) for r in rows) + end
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8", "surrogatepass")
    path.write_bytes(data)


def write(folder: Path, devices: list[str], contents: list[str]) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    device, content = devices[0], contents[0]
    expected: dict[str, str] = {}
    good = {"event_id": "h-ok-1", "ts": "2025-03-05T10:00:00Z", "device_id": device,
            "content_id": content, "seconds": 30}
    _lines(folder / "viewing-crlf-bom.jsonl", [good, {**good, "event_id": "h-ok-2"}],
           end="\r\n", bom=True)
    expected["viewing-crlf-bom.jsonl"] = "rows"
    _lines(folder / "viewing-times.jsonl", [
        {**good, "event_id": "h-t1", "ts": "9999-12-31T23:30:00-01:00"},
        {**good, "event_id": "h-t2", "ts": "0001-01-01T00:00:00+01:00"},
        {**good, "event_id": "h-t3", "ts": "9999-12-31T00:00:00Z"},
        {**good, "event_id": "h-t4", "ts": "1970-01-01T00:00:00Z"},
        {**good, "event_id": "h-t5", "ts": "2999-01-01T00:00:00Z"},
    ])
    expected["viewing-times.jsonl"] = "rows"
    _lines(folder / "viewing-values.jsonl", [
        {**good, "event_id": "h-v1", "seconds": True},
        {**good, "event_id": "h-v2", "seconds": 99999999999999999999999},
        '{"event_id": "h-v3", "ts": "2025-03-05T10:00:00Z", "device_id": "d", '
        '"content_id": "c", "seconds": NaN}',
        '{"event_id": "h-v4", "ts": "2025-03-05T10:00:00Z", "device_id": "d", '
        '"content_id": "c", "seconds": Infinity}',
        {**good, "event_id": "h-v5", "content_id": {"nested": {"deeper": [1, {"x": None}]}}},
        {**good, "event_id": "h-v6", "device_id": "a" * (10 * 1024 * 1024)},
        {**good, "event_id": "h-v7", "notes": "n" * (10 * 1024 * 1024)},
        '{"event_id": "h-v8", "event_id": "h-v9"}',
        "[1, 2, 3]",
        '{"event_id": "h-v10", "device_id": "\\ud800"}',
    ])
    expected["viewing-values.jsonl"] = "rows"
    _lines(folder / "viewing-cypher.jsonl", [
        {**good, "event_id": f"h-c-{CYPHER}", "device_id": f"dev-{CYPHER}",
         "content_id": f"content-{CYPHER}"}])
    expected["viewing-cypher.jsonl"] = "rows"
    _lines(folder / "network-cypher.jsonl", [
        {"event_id": f"h-n-{CYPHER}", "ts": "2025-03-05T10:00:00Z", "device_id": f"d-{CYPHER}",
         "device_type": "phone", "network": "home", "ip": "10.0.0.1",
         "cookie": f"c-{CYPHER}", "app_id": f"a-{CYPHER}", "login": f"l-{CYPHER}@x.y",
         "user_agent": f"ua-{CYPHER}"}])
    expected["network-cypher.jsonl"] = "rows"
    # the same event twice across files: counted once
    _lines(folder / "viewing-repeat-a.jsonl", [{**good, "event_id": "h-dup"}])
    _lines(folder / "viewing-repeat-b.jsonl", [{**good, "event_id": "h-dup"},
                                               {**good, "event_id": "h-dup-2"}])
    expected["viewing-repeat-a.jsonl"] = expected["viewing-repeat-b.jsonl"] = "rows"
    # every row rejected
    _lines(folder / "viewing-all-bad.jsonl", ["not json", '{"seconds": "ten"}'])
    expected["viewing-all-bad.jsonl"] = "rows"
    # CSV: not UTF-8, a field over the usual CSV limit, a BOM on the header
    (folder / "viewing-latin1.csv").write_bytes(
        b"\xef\xbb\xbfevent_id,ts,device_id,content_id,seconds\r\n"
        + f"h-l1,2025-03-05T10:00:00Z,{device},{content},60\r\n".encode()
        + b"h-l2,2025-03-05T10:00:00Z,d\xe9vice,c,60\r\n"
        + b"h-l3,2025-03-05T10:00:00Z," + b"x" * 200_000 + b",c,60\r\n")
    expected["viewing-latin1.csv"] = "rows"
    # whole files refused, each alone
    full = gzip.compress(("\n".join(json.dumps({**good, "event_id": f"h-g{k}"})
                                    for k in range(2000)) + "\n").encode())
    (folder / "viewing-truncated.jsonl.gz").write_bytes(full[: len(full) // 2])
    expected["viewing-truncated.jsonl.gz"] = "fails"
    (folder / "viewing-empty.jsonl").write_bytes(b"")
    expected["viewing-empty.jsonl"] = "fails"
    (folder / "viewing-header.csv").write_text("event_id,ts\nh-x,2025-03-05T10:00:00Z\n")
    expected["viewing-header.csv"] = "fails"
    # file-system shapes: a folder named like a data file, a symlink loop
    (folder / "network-folder.jsonl").mkdir()
    os.symlink(".", folder / "loop")
    return expected
