"""The recommendations stage: `run(graph, params) -> RecommendReport` precomputes content
neighbours.

Reads viewing as columns (`proteus.views`, the graph or the fold's views.parquet), takes
each viewer's contents as a binary viewer x content matrix, computes each content's top-k neighbours
by co-viewing and every content's popularity, then replaces all
`(:Content)-[:SIMILAR {score, rank, co_viewers, run_id}]->(:Content)` and
`Content.popularity`, `popularity_rank`, `popularity_run_id`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy import sparse

from proteus import runs, views
from proteus.graph import Runner
from proteus.recommend.models import RecommendParams, RecommendReport
from proteus.recommend.similarity import neighbours_of, popularity_of
from proteus.views import ViewTable

WRITE_BATCH = 20_000
CLEAR_BATCH = 100_000


def viewers(table: ViewTable) -> tuple[list[str], np.ndarray]:
    """A viewer per row: its device's person, or the device itself when it has none; the
    viewer ids and each row's viewer (index)."""
    person = table.person.astype(np.int64)
    alone = np.unique(table.device[person < 0])
    slot = np.full(len(table.devices), -1, dtype=np.int64)
    slot[alone] = len(table.persons) + np.arange(len(alone))
    viewer = np.where(person >= 0, person, slot[table.device])
    names = table.persons + [table.devices[d] for d in alone.tolist()]
    return names, viewer


def matrix(table: ViewTable) -> tuple[list[str], sparse.csr_matrix]:
    """The binary viewer x content matrix (columns: `table.contents`)."""
    names, viewer = viewers(table)
    m = sparse.csr_matrix((np.ones(table.rows), (viewer, table.content)),
                          shape=(len(names), len(table.contents)))
    m.sum_duplicates()
    m.data[:] = 1.0
    return names, m


def run(graph: Runner, params: RecommendParams) -> RecommendReport:
    started = time.monotonic()
    table = views.load(graph, params.views)
    names, seen = matrix(table)
    seconds_read = time.monotonic() - started
    with runs.track(graph, "recommend", params, inputs=[views.source_name(params.views)]
                    ) as run:
        t0 = time.monotonic()
        found = neighbours_of(table.contents, seen, params.top_k, params.shrink,
                              params.min_co_viewers)
        ranked = popularity_of(table.contents, seen)
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
            run_id=run.id, params=params, source=views.source_name(params.views),
            viewers=len(names), contents=len(ranked),
            contents_with_neighbours=len(found), relationships=len(rows),
            popular=len(popular), seconds_read=round(seconds_read, 3),
            seconds_compute=round(seconds_compute, 3), seconds_write=round(seconds_write, 3),
            seconds=round(time.monotonic() - started, 3))
        run.report = report
    return report
