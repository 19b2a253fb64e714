from __future__ import annotations

import logging
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from proteus import interests
from proteus.graph import RecordingGraph
from proteus.interests.scoring import Decayer, ancestors, decay, score, select
from proteus.views.per_person import collect_views, reference_day
from proteus.views.table import ViewTable, build

REF = date(2025, 3, 9)
PARENTS: dict[str, str | None] = {"c3:483": None, "c3:533": "c3:483", "c3:539": "c3:483",
                                  "c3:SPSHQ5": None, "c3:646": "c3:SPSHQ5"}
TAGS = [("soccer", "c3:533"), ("soccer", "c3:646"), ("tennis", "c3:539"),
        ("comedy", "c3:646")]
ROWS = [
    # person, content, days, day_seconds
    ("p1", "soccer", ["2025-03-09"], [600]),
    ("p1", "tennis", ["2025-03-02"], [1200]),       # a week old: half weight
    ("p1", "soccer", ["2025-03-09"], [400]),        # a second device of p1, same content
    ("p2", "comedy", ["2025-03-08", "2025-03-09"], [100, 300]),
    ("p2", "untagged", ["2025-03-09"], [1000]),
]


def table(rows: list[tuple[str, str, list[str], list[int]]]) -> ViewTable:
    """One device per row (d0, d1, ...), each owned by the row's person."""
    days = [d for _, _, ds, _ in rows for d in ds]
    return build(pa.array([f"d{n}" for n in range(len(rows))]), pa.array([r[1] for r in rows]),
                 np.array([sum(r[3]) for r in rows]), np.zeros(len(rows)),
                 np.array([len(r[2]) for r in rows]),
                 pa.array(days).cast(pa.date32()).cast(pa.int32()).to_numpy(),
                 np.array([s for r in rows for s in r[3]]),
                 (pa.array([f"d{n}" for n in range(len(rows))]), pa.array([r[0] for r in rows])))


def test_decay_halves_every_half_life() -> None:
    assert decay(["2025-03-09"], [100], REF, 7.0) == pytest.approx(100)
    assert decay(["2025-03-02"], [100], REF, 7.0) == pytest.approx(50)
    assert decay(["2025-02-23", "2025-03-09"], [100, 10], REF, 7.0) == pytest.approx(35)
    assert Decayer(REF, 7.0)(["2025-03-02"], [100]) == pytest.approx(50)


def test_ancestors_include_self_nearest_first() -> None:
    assert ancestors(PARENTS)["c3:533"] == ["c3:533", "c3:483"]
    assert ancestors({"a": "b", "b": "a"})["a"] == ["a", "b"]  # a cycle stops


def _scores() -> interests.scoring.Scores:
    found = table(ROWS)
    assert reference_day(found) == REF
    return score(collect_views(found, REF, 7.0), TAGS, PARENTS)


def _row(s: interests.scoring.Scores, person: str, interest: str) -> int:
    p, i = s.persons.index(person), s.interests.index(interest)
    return int(np.flatnonzero((s.person == p) & (s.interest == i))[0])


def test_scores_roll_up_and_count_each_content_once() -> None:
    s = _scores()
    sports = _row(s, "p1", "c3:483")
    assert s.weight[sports] == pytest.approx(1000 + 600)   # soccer 1000 + tennis 1200/2
    assert s.evidence[sports] == 2
    assert s.score[sports] == pytest.approx(1.0)
    assert date.fromordinal(int(s.last[sports])) == REF
    genres = _row(s, "p1", "c3:SPSHQ5")
    assert s.weight[genres] == pytest.approx(1000)
    comedy = _row(s, "p2", "c3:646")
    total_p2 = 100 * 0.5 ** (1 / 7) + 300 + 1000
    assert s.score[comedy] == pytest.approx((100 * 0.5 ** (1 / 7) + 300) / total_p2)


def test_lift_is_share_over_population_share() -> None:
    s = _scores()
    population = (1000 + (100 * 0.5 ** (1 / 7) + 300)) / s.total.sum()
    for person in ("p1", "p2"):
        k = _row(s, person, "c3:646")
        assert s.lift[k] == pytest.approx(s.score[k] / population)


def test_select_applies_min_evidence_exclusions_and_top_k() -> None:
    s = _scores()
    kept = select(s, top_k=10, min_evidence=2, excluded=set())
    assert {(s.persons[s.person[k]], s.interests[s.interest[k]]) for k in kept} == {
        ("p1", "c3:483")}
    kept = select(s, top_k=2, min_evidence=1, excluded={"c3:483"})
    pairs = [(s.persons[s.person[k]], s.interests[s.interest[k]]) for k in kept]
    assert ("p1", "c3:483") not in pairs
    assert sum(p == "p1" for p, _ in pairs) == 2


def _viewing_graph() -> dict[str, Any]:
    """The canned answers of the view reader for ROWS, one device per row."""
    devices = [f"d{n}" for n in range(len(ROWS))]
    watched = {"device": list(range(len(ROWS))), "content": [r[1] for r in ROWS],
               "day_lengths": [len(r[2]) for r in ROWS], "days": [d for r in ROWS for d in r[2]],
               "day_seconds": [s for r in ROWS for s in r[3]]}
    return {"views/owners": [{"devices": devices, "persons": [r[0] for r in ROWS]}],
            "views/devices": [{"devices": devices}], "views/watched": [watched]}


def test_run_writes_profiles_in_batches() -> None:
    hierarchy = [{"id": k, "parent": v, "name": k, "sensitive": k == "c3:539"}
                 for k, v in PARENTS.items()]

    def write(params: dict[str, Any]) -> list[dict[str, int]]:
        return [{"written": len(params["interest"])}]

    graph = RecordingGraph({
        "interests/hierarchy": hierarchy,
        "interests/content_tags": [{"content": c, "interest": i} for c, i in TAGS],
        **_viewing_graph(),
        "interests/clear_profiles": [{"deleted": 0}],
        "interests/write_profiles": write,
        "interests/content_count": [{"contents": 4}],
    })
    report = interests.run(graph, interests.InterestsParams(min_evidence=1))
    assert (report.contents, report.tagged_contents, report.warnings) == (4, 3, [])
    written = [p for n, p in graph.calls if n == "interests/write_profiles"]
    rows = [{"person": b["persons"][k], "interest": b["interests"][b["interest"][j]]}
            for b in written for k in range(len(b["persons"]))
            for j in range(b["starts"][k], b["starts"][k + 1])]
    assert report.reference_day == REF
    assert report.relationships == len(rows) > 0
    assert not any(r["interest"] == "c3:539" for r in rows)   # sensitive left out
    assert report.dropped_sensitive == 1
    assert {r["person"] for r in rows} == {"p1", "p2"}
    assert all(batch["run_id"] == report.run_id for batch in written)


def test_run_warns_when_the_catalog_is_untagged(caplog: pytest.LogCaptureFixture) -> None:
    hierarchy = [{"id": k, "parent": v, "name": k, "sensitive": False}
                 for k, v in PARENTS.items()]
    base = {"interests/hierarchy": hierarchy, **_viewing_graph(),
            "interests/clear_profiles": [{"deleted": 0}],
            "interests/write_profiles": lambda p: [{"written": len(p["interest"])}],
            "interests/content_count": [{"contents": 40}]}
    report = interests.run(RecordingGraph(base), interests.InterestsParams())
    assert report.relationships == 0 and report.tagged_contents == 0
    assert len(report.warnings) == 1
    assert "no content carries a content-3.1 tag" in report.warnings[0]
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == report.warnings
    assert any("WARNING" in line for line in report.lines())
    mostly = interests.run(RecordingGraph({
        **base, "interests/content_tags": [{"content": c, "interest": i} for c, i in TAGS]}),
        interests.InterestsParams(min_evidence=1))
    assert mostly.relationships > 0
    assert mostly.warnings == ["only 3 of 40 contents (8%) carry a content-3.1 tag: viewing "
                               "of the others adds to no interest"]
