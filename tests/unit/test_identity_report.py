"""What an identity run reports: its window (anchored on the data's latest day), `n/a` for
figures with nothing to measure, scores against a truth attached to its Run by the caller,
and one-line errors for a truth file it cannot use."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from proteus.edge import identity_params
from proteus.errors import InputError
from proteus.graph import RecordingGraph
from proteus.identity.stage import run
from proteus.settings import Settings
from proteus.tools.truth import load_truth, score_identity

LinkGraph = Callable[..., RecordingGraph]  # the `link_graph` fixture (conftest.py)


def days(start: date, count: int, step: int = 1) -> list[str]:
    return [(start + timedelta(days=n * step)).isoformat() for n in range(count)]


def test_a_window_over_months_is_anchored_on_the_latest_day_and_warns(
        caplog: pytest.LogCaptureFixture, link_graph: LinkGraph) -> None:
    months = days(date(2025, 1, 1), 45, step=2)  # every other day, 2025-01-01 .. 2025-03-30
    rows = [{"device": d, "kind": "login", "value": "anna", "days": months} for d in "ab"]
    rows += [{"device": "c", "kind": "login", "value": "old", "days": months[:3]},
             {"device": "d", "kind": "login", "value": "old", "days": months[:3]}]
    report = run(link_graph(rows), identity_params(Settings(env="test")))
    window = report.window
    assert window is not None
    assert (window.first, window.last, window.data_first) == ("2025-03-03", "2025-03-30",
                                                              "2025-01-01")
    assert (window.links, window.links_left_out) == (4, 2)
    assert window.sighting_days == 2 * 45 + 2 * 3
    assert window.sighting_days_left_out == 2 * (45 - 14) + 2 * 3
    assert report.persons.count == 3  # a and b in the window; c and d only before it
    [warned] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "the 28-day link window (2025-03-03 to 2025-03-30) leaves out 68 of 96" in (
        warned.getMessage())
    lines = "\n".join(report.lines())
    assert "window     last 28 days of the data: 2025-03-03 to 2025-03-30" in lines
    assert "WARNING: the 28-day window leaves out most of the data" in lines


def test_a_week_raises_no_window_warning(caplog: pytest.LogCaptureFixture,
                                        link_graph: LinkGraph) -> None:
    week = days(date(2025, 3, 3), 7)
    rows = [{"device": d, "kind": "login", "value": "anna", "days": week} for d in "ab"]
    report = run(link_graph(rows), identity_params(Settings(env="test")))
    assert report.window is not None and report.window.links_left_out == 0
    assert "WARNING" not in "\n".join(report.lines())
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_figures_with_nothing_to_measure_are_not_available(tmp_path: Path,
                                                          link_graph: LinkGraph) -> None:
    week = days(date(2025, 3, 3), 7)
    rows = [{"device": d, "kind": "cookie", "value": "c1", "days": week} for d in "ab"]
    truth = tmp_path / "truth.csv"
    truth.write_text("device_id,person_id\na,p1\nb,p1\n", encoding="utf-8")
    graph = link_graph(rows)
    report = run(graph, identity_params(Settings(env="test")))
    assert report.quality is None and not any("F1 person" in x for x in report.lines())
    score_identity(graph, report, load_truth(truth))
    quality = report.quality
    assert quality is not None and quality.person.f1 == 1.0 and quality.truth == str(truth)
    assert quality.household is None and quality.person_resolvable is None
    line = next(x for x in report.lines() if "F1 person" in x)
    assert line.strip() == "F1 person 1.0000 (resolvable n/a), household n/a"
    assert report.model_dump(mode="json")["quality"]["household"] is None
    name, stored = graph.calls[-1]
    assert name == "runs/set_report" and stored["id"] == report.run_id
    assert json.loads(stored["report"])["quality"]["person"]["f1"] == 1.0


def test_a_report_is_scored_once(tmp_path: Path, link_graph: LinkGraph) -> None:
    """The run's assignment is handed over once; scoring again is a one-line error."""
    truth = tmp_path / "truth.csv"
    truth.write_text("device_id,person_id\na,p1\n", encoding="utf-8")
    graph = link_graph([{"device": "a", "kind": "cookie", "value": "c1",
                         "days": days(date(2025, 3, 3), 2)}])
    report = run(graph, identity_params(Settings(env="test")))
    score_identity(graph, report, load_truth(truth))
    with pytest.raises(InputError, match="holds no assignment to score"):
        score_identity(graph, report, load_truth(truth))


def test_a_truth_without_device_id_is_a_one_line_error(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("id,person_id\na,p1\n", encoding="utf-8")
    with pytest.raises(InputError) as found:
        load_truth(truth)
    message = str(found.value)
    assert "\n" not in message
    assert message.endswith("the truth needs the column(s) device_id (it has: id, person_id)")
    truth.write_bytes(b"device_id,person_id\n\xff\xfe,p1\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_truth(truth)
    outside = tmp_path / "outside.csv"
    outside.write_text("person_id,device_id,resolvable,household_id\np1,a,TRUE,h1\n",
                       encoding="utf-8")
    loaded = load_truth(outside)
    assert (loaded.person, loaded.household, loaded.resolvable) == ({"a": "p1"}, {"a": "h1"},
                                                                     {"a"})
