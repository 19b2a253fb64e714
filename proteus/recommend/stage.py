"""`build(graph, params)`: the pipeline stage that precomputes content neighbours.

Reads every viewer's history (`recommend/views`), computes each content's top-k neighbours
by co-viewing and every content's popularity, then replaces all
`(:Content)-[:SIMILAR {score, rank, co_viewers, run_id}]->(:Content)` and
`Content.popularity`, `popularity_rank`, `popularity_run_id`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from proteus import runs
from proteus.graph import Row, Runner
from proteus.recommend.models import RecommendParams, RecommendReport
from proteus.recommend.similarity import neighbours, popularity

WRITE_BATCH = 10_000
CLEAR_BATCH = 50_000


def _stream(graph: Runner, name: str) -> Iterator[Row]:
    stream = getattr(graph, "stream", None)
    return iter(stream(name) if stream else graph.read(name))


def histories(graph: Runner) -> dict[str, list[tuple[str, float, str]]]:
    """Each viewer's (content, seconds, last watched) rows."""
    out: dict[str, list[tuple[str, float, str]]] = {}
    for row in _stream(graph, "recommend/views"):
        out.setdefault(row["user"], []).extend(
            zip(row["contents"], (float(s or 0) for s in row["seconds"]),
                (str(x or "") for x in row["last"]), strict=True))
    return out


def build(graph: Runner, params: RecommendParams | None = None) -> RecommendReport:
    params = params or RecommendParams()
    started = time.monotonic()
    viewers = histories(graph)
    seconds_read = time.monotonic() - started
    with runs.track(graph, "recommend", params) as run:
        t0 = time.monotonic()
        contents = {user: [c for c, _, _ in rows] for user, rows in viewers.items()}
        found = neighbours(contents, params.top_k, params.shrink, params.min_co_viewers)
        ranked = popularity(contents)
        rows: list[dict[str, Any]] = [
            {"source": source, "target": n.target, "score": n.score, "rank": n.rank,
             "co_viewers": n.co_viewers}
            for source, items in found.items() for n in items]
        seconds_compute = time.monotonic() - t0
        t0 = time.monotonic()
        while graph.write("recommend/clear_similar", limit=CLEAR_BATCH)[0]["deleted"]:
            pass
        for start in range(0, len(rows), WRITE_BATCH):
            graph.write("recommend/write_similar", rows=rows[start:start + WRITE_BATCH],
                        run_id=run.id)
        graph.write("recommend/clear_popularity")
        popular = [{"content": c, "viewers": v, "rank": r}
                   for r, (c, v) in enumerate(ranked, start=1)]
        for start in range(0, len(popular), WRITE_BATCH):
            graph.write("recommend/write_popularity",
                        rows=popular[start:start + WRITE_BATCH], run_id=run.id)
        seconds_write = time.monotonic() - t0
        report = RecommendReport(
            run_id=run.id, params=params, viewers=len(viewers), contents=len(ranked),
            contents_with_neighbours=len(found), relationships=len(rows),
            popular=len(popular), seconds_read=round(seconds_read, 3),
            seconds_compute=round(seconds_compute, 3), seconds_write=round(seconds_write, 3),
            seconds=round(time.monotonic() - started, 3))
        run.report = report
    return report
