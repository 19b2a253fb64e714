"""The HTML report from canned runs: every chart drawn with a title, axis titles, marks whose
numbers are the report's, and a reading; `n/a` for what has nothing to measure; one page
with no script and no link out."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from proteus import report
from proteus.graph import RecordingGraph

ARIA = re.compile(r'aria-label="([^"]*)"')
FIGURE = re.compile(r'<figure class="chart" data-chart="([^"]+)">\s*(<svg.*?</svg>)'
                    r'\s*<figcaption>(.*?)</figcaption>', re.S)

IDENTITY = {
    "run_id": "identity-1", "devices": 9, "links": 12, "person_links": 4, "household_links": 2,
    "persons": {"count": 4, "p50": 2, "p99": 4, "max": 4, "largest_share": 0.44},
    "households": {"count": 2, "p50": 4.5, "p99": 5, "max": 5, "largest_share": 0.55},
    "excluded_by_rule": {"shared.min_other_logins": 3, "blocklist": 1},
    "changes": {"person_merge": 2, "person_split": 1}, "ids_kept": 3, "ids_new": 1,
    "gate": {"passed": True, "max_person_devices": 50, "max_person_share": 0.2},
    "rules_version": "1",
    "quality": {"person": {"precision": 0.9, "recall": 0.8, "f1": 0.847},
                "person_resolvable": {"precision": 1.0, "recall": 0.95, "f1": 0.974},
                "household": {"precision": 0.7, "recall": None, "f1": None},
                "household_resolvable": None}}
INGEST = {"run_id": "ingest-1", "path": "incremental", "read": 120, "accepted": 110,
          "rejected": 8, "duplicates": 2, "seconds": 1.5, "events_per_s": 80.0, "errors": [],
          "batches": [{"file": "/d/network-day01.jsonl.gz", "kind": "network",
                       "status": "complete", "read": 100, "accepted": 92, "rejected": 6,
                       "duplicates": 2},
                      {"file": "/d/viewing-day01.jsonl.gz", "kind": "viewing",
                       "status": "complete", "read": 20, "accepted": 18, "rejected": 2,
                       "duplicates": 0}]}
SEGMENTS = {"run_id": "segments-1", "persons": 40, "edges": 300, "resolution": 1.0,
            "modularity": 0.51, "criterion": "highest modularity", "unsegmented": 2,
            "sweep": [{"resolution": 0.5, "communities": 2, "modularity": 0.4, "stability": 1},
                      {"resolution": 1.0, "communities": 3, "modularity": 0.51,
                       "stability": 0.95, "chosen": True},
                      {"resolution": 2.0, "communities": 6, "modularity": 0.45,
                       "stability": 0.9}],
            "segments": [{"id": "community-1", "name": "Sports / Drama", "size": 20,
                          "top_interests": [{"id": "c3:483", "name": "Sports", "tier": 1,
                                             "lift": 2.5, "coverage": 0.8}],
                          "device_mix": {"stb": 12}, "continued_from": "community-1",
                          "gained": 3, "lost": 1},
                         {"id": "community-2", "name": "News", "size": 18,
                          "top_interests": [], "device_mix": {}, "continued_from": None,
                          "gained": 18, "lost": 0}],
            "stability": {"previous_run": "segments-0", "common_persons": 35, "nmi": 0.9,
                          "ari": 0.85, "continued": 1, "new": 1, "dropped": 0}}
AUDIENCE = {"audience": "sports@v1", "run_id": "audience-1", "members": 120,
            "counts": {"persons": 120, "households": 100, "devices": 150},
            "matched_persons": 130, "excluded_consent": 10, "reference_day": "2025-03-09",
            "funnel": [{"step": "persons", "count": 900, "unit": "persons"},
                       {"step": "include interest c3:483", "count": 400, "unit": "persons"},
                       {"step": "include device type stb", "count": 130, "unit": "persons"},
                       {"step": "advertising consent", "count": 120, "unit": "persons"},
                       {"step": "person members", "count": 120, "unit": "persons"},
                       {"step": "minimum size 50", "count": 120, "unit": "persons"}]}


def run(stage: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"run": {"id": body.get("run_id", f"{stage}-1"), "stage": stage,
                    "status": "complete", "started": "2025-03-10T10:00:00Z",
                    "finished": "2025-03-10T10:01:00Z", "report": json.dumps(body)}}


def graph() -> RecordingGraph:
    runs = [run("ingest", INGEST), run("identity", IDENTITY), run("segments", SEGMENTS),
            run("audience", AUDIENCE)]
    return RecordingGraph({
        "report/latest_runs": runs,
        "report/person_sizes": [{"size": 1, "count": 1}, {"size": 2, "count": 2},
                                {"size": 4, "count": 1}],
        "report/household_sizes": [{"size": 4, "count": 1}, {"size": 5, "count": 1}],
        "report/identity_changes": [{"level": "person", "kind": "merge", "old_ids": ["p-a"],
                                     "new_ids": ["p-b"], "devices": ["d1", "d2"]}],
        "report/audience_devices": [{"type": "stb", "devices": 100},
                                    {"type": "smart_tv", "devices": 50},
                                    {"type": "phone", "devices": 70}],
        "report/audience_households": [{"size": 1, "members": 30}, {"size": 2, "members": 90}],
    })


def charts(page: str) -> dict[str, tuple[str, list[str], str]]:
    return {key: (svg, [html.unescape(a) for a in ARIA.findall(svg)], html.unescape(reading))
            for key, svg, reading in FIGURE.findall(page)}


def values(labels: list[str], field: str) -> list[float]:
    """The `field: number` of every mark label that has one."""
    out = []
    for label in labels:
        for part in label.split("; "):
            name, _, value = part.partition(": ")
            if name == field:
                out.append(float(value.replace(",", "")))
    return out


def test_every_chart_has_title_axes_marks_and_reading() -> None:
    page = report.render(report.build(graph()))
    found = charts(page)
    assert set(found) == {"ingest-rows", "identity-persons", "identity-households",
                          "identity-excluded", "identity-quality", "identity-changes",
                          "segments-sweep", "segments-sizes", "segments-stability",
                          "audience-funnel", "audience-devices", "audience-households"}
    for key, (svg, labels, reading) in found.items():
        assert 'class="mark-' in svg and "role-mark" in svg, key
        assert any(a.startswith("Title text") for a in labels), key
        assert sum(a.startswith(("X-axis titled", "Y-axis titled")) for a in labels) >= 2, key
        assert reading.strip(), key


def test_numbers_in_the_charts_are_the_reports() -> None:
    found = charts(report.render(report.build(graph())))
    rows = found["ingest-rows"][1]
    assert sorted(values(rows, "rows")) == sorted([92, 6, 2, 18, 2, 0])
    assert sum(values(found["identity-persons"][1], "persons")) == 4
    assert sum(values(found["identity-households"][1], "households")) == 2
    assert sorted(values(found["identity-excluded"][1], "identifiers excluded")) == [1, 3]
    assert sorted(values(found["identity-quality"][1], "score")) == sorted(
        [0.9, 0.8, 0.847, 1.0, 0.95, 0.974, 0.7])
    # each line's points, and the line itself labelled as its first point
    assert set(values(found["segments-sweep"][1], "modularity")) == {0.4, 0.51, 0.45}
    assert set(values(found["segments-sweep"][1], "communities")) == {2, 3, 6}
    assert sorted(values(found["segments-sizes"][1], "persons")) == [18, 20]
    assert values(found["audience-funnel"][1], "persons, then members") == [
        900, 400, 130, 120, 120, 120]
    assert sum(values(found["audience-devices"][1], "devices")) == 220
    assert sum(values(found["audience-households"][1], "members")) == 120
    assert found["identity-persons"][2] == (
        "most persons have 2 devices (50.0%); 50.0% have 2-3; the largest has 4")
    assert found["audience-funnel"][2] == (
        "900 persons narrow to 120 persons; the largest drop is at include interest c3:483 "
        "(-500)")


def test_nothing_to_measure_prints_n_a() -> None:
    page = report.render(report.build(graph()))
    quality = page[page.index("Scores against the truth"):]
    quality = quality[:quality.index("</table>")]
    assert quality.count("<td>n/a</td>") == 5
    assert "0.0000" not in quality and "1.0000" not in quality


def test_the_page_needs_no_script_and_no_network() -> None:
    page = report.render(report.build(graph()))
    assert "<script" not in page
    assert not re.search(r'(src|href)="(?!#)', page)
    assert "@import" not in page and "url(http" not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_a_chart_with_nothing_to_draw_becomes_a_sentence() -> None:
    empty = {**IDENTITY, "changes": {}, "excluded_by_rule": {}, "quality": None}
    found = RecordingGraph({"runs/get_run": [run("identity", empty)],
                            "report/person_sizes": [{"size": 1, "count": 4}]})
    built = report.build(found, ["identity-1"])
    section = built.sections[0]
    assert [c.key for c in section.charts] == ["identity-persons"]
    assert "no truth was given: precision, recall and F1 are not measured" in section.notes
    assert "no identifier was excluded by a rule" in section.notes


def test_an_unknown_run_is_not_found() -> None:
    import pytest

    from proteus.errors import NotFound

    with pytest.raises(NotFound, match="no run nope"):
        report.build(RecordingGraph(), ["nope"])
