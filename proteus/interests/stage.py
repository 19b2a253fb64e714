"""The interests stage: `run(graph, params) -> InterestsReport`.

Reads viewing as columns (`proteus.views`: from the graph, or from the fold's
`views.parquet` with `params.views`), scores it with numpy (see `proteus.interests.scoring`
for the formulas), and replaces every `(:Person)-[:INTERESTED_IN]->(:Interest)` in large
batches.
"""

from __future__ import annotations

import itertools
import logging
import time
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from proteus import runs, views
from proteus.errors import Conflict, InputError
from proteus.graph import Runner
from proteus.interest_ids import TAXONOMIES
from proteus.interests.models import InterestsParams, InterestsReport
from proteus.interests.scoring import Scores, score, select
from proteus.views.per_person import collect_views, reference_day
from proteus.views.table import EPOCH_ORDINAL

log = logging.getLogger(__name__)

WRITE_BATCH = 20_000  # relationships per transaction, whole persons
WRITERS = 2
CLEAR_BATCH = 100_000
ROW_FIELDS = ("interest", "score", "lift", "weight", "evidence_count", "last_seen")
MOSTLY_UNTAGGED = 0.5  # warn when fewer than this share of the catalog carries a tag


def _columns(scores: Scores, chosen: np.ndarray) -> dict[str, Any]:
    """The kept rows as parallel lists, grouped by person (rows are in person order)."""
    person = scores.person[chosen]
    firsts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]]) if len(person) else (
        np.zeros(0, dtype=np.int64))
    used, interest = np.unique(scores.interest[chosen], return_inverse=True)
    return {"persons": [scores.persons[p] for p in person[firsts].tolist()],
            "starts": [*firsts.tolist(), len(person)],
            "interests": [scores.interests[i] for i in used.tolist()],
            "interest": interest.tolist(), "score": scores.score[chosen].tolist(),
            "lift": scores.lift[chosen].tolist(), "weight": scores.weight[chosen].tolist(),
            "evidence_count": scores.evidence[chosen].tolist(),
            "last_seen": np.datetime_as_string(
                (scores.last[chosen] - EPOCH_ORDINAL).astype("datetime64[D]")).tolist()}


def _write(graph: Runner, columns: dict[str, Any], run_id: str) -> int:
    """CREATE every kept score in blocks of whole persons, two transactions at a time; the
    run clears the previous profiles first, so every relationship is known to be new."""
    starts = columns["starts"]
    cuts = [0]
    while cuts[-1] < len(starts) - 1:
        want = starts[cuts[-1]] + WRITE_BATCH
        cuts.append(min(max(bisect_left(starts, want), cuts[-1] + 1), len(starts) - 1))
    blocks = []
    for a, b in itertools.pairwise(cuts):
        lo, hi = starts[a], starts[b]
        blocks.append({"interests": columns["interests"], "persons": columns["persons"][a:b],
                       "starts": [s - lo for s in starts[a:b + 1]], "run_id": run_id,
                       **{k: columns[k][lo:hi] for k in ROW_FIELDS}})
    with ThreadPoolExecutor(WRITERS) as pool:
        written = sum(rows[0]["written"] for rows in pool.map(
            lambda block: graph.write("interests/write_profiles", **block), blocks))
    return int(written)


def tag_warnings(contents: int, tagged: int, taxonomy: str) -> list[str]:
    """Why the profiles will be empty or thin: no content, or most content, without tags."""
    if contents and not tagged:
        return [f"no content carries a {taxonomy} tag: no interest can be scored (load a "
                "catalog with iab_ids, or tag the content)"]
    if contents and tagged < MOSTLY_UNTAGGED * contents:
        return [f"only {tagged:,} of {contents:,} contents ({tagged / contents:.0%}) carry a "
                f"{taxonomy} tag: viewing of the others adds to no interest"]
    return []


def run(graph: Runner, params: InterestsParams) -> InterestsReport:
    if params.taxonomy not in TAXONOMIES:
        raise InputError(f"taxonomy: unknown taxonomy {params.taxonomy!r}")
    started = time.monotonic()
    hierarchy = graph.read("interests/hierarchy", taxonomy=params.taxonomy)
    if not hierarchy:
        raise InputError(f"no {params.taxonomy} interests in the graph: run `proteus taxonomy "
                         "load` first")
    parents = {r["id"]: r["parent"] for r in hierarchy}
    sensitive = {r["id"] for r in hierarchy if r["sensitive"]}
    tags = [(r["content"], r["interest"])
            for r in graph.read("interests/content_tags", taxonomy=params.taxonomy)]
    counted = graph.read("interests/content_count")
    contents = int(counted[0]["contents"]) if counted else 0
    tagged = len({content for content, _ in tags})
    warnings = tag_warnings(contents, tagged, params.taxonomy)
    for warning in warnings:
        log.warning(warning)
    table = views.load(graph, params.views)
    reference = params.reference_day or reference_day(table)
    seconds_stream = time.monotonic() - started
    with runs.track(graph, "interests", params, inputs=[views.source_name(params.views)]
                    ) as run_:
        t0 = time.monotonic()
        scores = None
        columns: dict[str, Any] = {"persons": [], "starts": [0]}
        dropped = 0
        if reference is not None:
            found = collect_views(table, reference, params.half_life_days)
            scores = score(found, tags, parents)
            excluded = set() if params.include_sensitive else sensitive
            chosen = select(scores, params.top_k, params.min_evidence, excluded)
            flagged = np.array([i in sensitive for i in scores.interests], dtype=bool)
            dropped = int(flagged[scores.interest].sum()) if len(flagged) else 0
            columns = _columns(scores, chosen)
        seconds_score = time.monotonic() - t0
        t0 = time.monotonic()
        while graph.write("interests/clear_profiles", limit=CLEAR_BATCH)[0]["deleted"]:
            pass
        seconds_clear = time.monotonic() - t0
        kept = columns["starts"][-1]
        written = _write(graph, columns, run_.id) if kept else 0
        if written != kept:
            raise Conflict(f"wrote {written:,} of {kept:,} interest scores: persons or "
                           "interests were removed while the run wrote; run it again")
        seconds_write = time.monotonic() - t0
        report = InterestsReport(
            run_id=run_.id, params=params, source=views.source_name(params.views),
            reference_day=reference, persons=len(table.persons),
            persons_with_profile=len(columns["persons"]), view_rows=table.rows,
            interests_scored=len(np.unique(scores.interest)) if scores else 0,
            relationships=kept, dropped_sensitive=dropped,
            contents=contents, tagged_contents=tagged, warnings=warnings,
            seconds_stream=round(seconds_stream, 3), seconds_score=round(seconds_score, 3),
            seconds_clear=round(seconds_clear, 3), seconds_write=round(seconds_write, 3),
            seconds=round(time.monotonic() - started, 3))
        run_.report = report
    return report
