"""The main job's HTML report in headless Chromium with no network, its numbers against the
runs' stored reports; the report route's roles; the Browser guide on the demo graph.

Outside CI the Chromium test is skipped when Chromium is not installed; in CI (`CI=true`),
where `.ci/run` installs it, a missing Chromium fails it."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from proteus import browser, keys, pipeline
from proteus.db import manage
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools.bench.api import served

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--virtual-time-budget=20000", "--enable-logging=stderr", "--v=0"]
# Runs after the report has drawn: which resources it fetched, and for every chart the marks
# laid out with a size, their labels (the numbers drawn), title, axis titles and reading.
PROBE = """<script>
const out = {resources: performance.getEntriesByType('resource').map(e => e.name), charts: {}};
for (const fig of document.querySelectorAll('figure.chart')) {
  const marks = [...fig.querySelectorAll('g.role-mark > *')].filter(el => {
    const box = el.getBBox(); return box.width > 0 || box.height > 0; });
  out.charts[fig.dataset.chart] = {
    drawn: marks.length,
    labels: [...fig.querySelectorAll('g.role-mark > *')].map(m => m.getAttribute('aria-label')),
    title: [...fig.querySelectorAll('.role-title text')].map(t => t.textContent).join(' '),
    axes: [...fig.querySelectorAll('.role-axis-title text')].map(t => t.textContent),
    reading: fig.querySelector('figcaption').textContent.trim()};
}
document.body.insertAdjacentHTML('beforeend',
  '<pre id' + '="probe">' + JSON.stringify(out).replace(/</g, '\\\\u003c') + '</pre>');
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing in CI: .ci/run installs it")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def main_job(session_graph: Graph, settings: Settings,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    manage.reset(session_graph)
    work = tmp_path_factory.mktemp("main-job")
    done = pipeline.run(settings, pipeline.PipelineParams(
        devices=1500, data_dir=work / "data", report=work / "report.html",
        audience=ROOT / "rules/audiences/sports-big-screen.yaml"))
    yield {"report": done, "graph": session_graph, "work": work}


def _run(graph: Graph, run_id: str) -> dict[str, Any]:
    found = graph.read("runs/get_run", id=run_id)[0]["run"]
    return dict(json.loads(found["report"]))


def _values(labels: list[str | None], field: str) -> list[float]:
    out = []
    for label in labels:
        for part in (label or "").split("; "):
            name, _, value = part.partition(": ")
            if name == field:
                out.append(float(value.replace(",", "")))
    return out


def test_main_job_report_renders_offline_with_the_runs_numbers(
        main_job: dict[str, Any], settings: Settings, tmp_path: Path) -> None:
    chromium = _chromium()
    done: pipeline.PipelineReport = main_job["report"]
    page = done.html.read_text()
    assert "<script" not in page and not re.search(r'(src|href)="(?!#)', page)
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"))
    shown = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         probed.as_uri()],
        capture_output=True, text=True, timeout=180, check=True)
    assert ":CONSOLE" not in shown.stderr, shown.stderr
    probe = json.loads(html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', shown.stdout,
                                                re.S).group(1)))
    assert probe["resources"] == []
    charts = probe["charts"]
    assert {"ingest-rows", "identity-persons", "identity-households", "identity-quality",
            "segments-sweep", "segments-sizes", "audience-funnel", "audience-devices",
            "audience-households"} <= set(charts)
    for key, chart in charts.items():
        assert chart["drawn"] > 0, key
        assert chart["title"] and len(chart["axes"]) >= 2 and chart["reading"], key
    graph: Graph = main_job["graph"]
    ingest = _run(graph, done.ingest.run_id)
    labels = charts["ingest-rows"]["labels"]
    for batch in ingest["batches"]:
        name = Path(batch["file"]).name
        for outcome in ("accepted", "rejected", "duplicates"):
            assert _values([x for x in labels if f"file: {name};" in (x or "")
                            and f"outcome: {outcome}" in (x or "")], "rows") == [
                batch[outcome]], (name, outcome)
    if ingest["rejected"]:
        assert sum(_values(charts["ingest-rejects"]["labels"], "rejected rows")) == \
            ingest["rejected"]
    identity = _run(graph, done.identity.run_id)
    assert sum(_values(charts["identity-persons"]["labels"], "persons")) == \
        identity["persons"]["count"]
    assert sum(_values(charts["identity-households"]["labels"], "households")) == \
        identity["households"]["count"]
    quality = identity["quality"]
    assert quality["person"]["f1"] in _values(charts["identity-quality"]["labels"], "score")
    segments = _run(graph, done.segments.run_id)
    assert set(_values(charts["segments-sweep"]["labels"], "modularity")) == {
        p["modularity"] for p in segments["sweep"]}
    assert sorted(_values(charts["segments-sizes"]["labels"], "persons")) == sorted(
        s["size"] for s in segments["segments"])
    assert done.audience.materialised is not None
    audience = _run(graph, done.audience.materialised.run_id)
    assert _values(charts["audience-funnel"]["labels"], "persons, then members") == [
        s["count"] for s in audience["funnel"]]
    assert audience["funnel"][-1]["count"] == audience["members"]
    assert sum(_values(charts["audience-households"]["labels"], "members")) == \
        audience["members"]
    types = {x.split("; ")[1].split(": ")[1]: v for x, v in zip(
        charts["audience-devices"]["labels"],
        _values(charts["audience-devices"]["labels"], "devices"), strict=True)}
    assert types.get("stb", 0) + types.get("smart_tv", 0) == audience["counts"]["devices"]


def test_main_job_writes_rejects_under_the_home(main_job: dict[str, Any],
                                                settings: Settings) -> None:
    written = [b.rejects_file for b in main_job["report"].ingest.batches if b.rejects_file]
    assert written
    assert all(Path(f).parent == settings.home / "rejects" for f in written)


def test_report_route_answers_analysts_and_admins(main_job: dict[str, Any],
                                                  settings: Settings) -> None:
    graph: Graph = main_job["graph"]
    run_id = main_job["report"].identity.run_id
    made = {role: keys.create_key(graph, f"report-{role}", role)
            for role in ("service", "analyst", "admin")}
    with served(settings) as port:
        url = f"http://127.0.0.1:{port}/v1/runs/{run_id}/report"
        for role in ("analyst", "admin"):
            answer = httpx.get(url, headers={"X-API-Key": made[role].key}, timeout=120)
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith("text/html")
            assert 'data-chart="identity-persons"' in answer.text
        refused = httpx.get(url, headers={"X-API-Key": made["service"].key}, timeout=60)
        assert refused.status_code == 403
        missing = httpx.get(url.replace(run_id, "identity-none"),
                            headers={"X-API-Key": made["analyst"].key}, timeout=60)
        assert missing.status_code == 404


def test_browser_guide_appears_on_connect_and_its_queries_return_rows(
        main_job: dict[str, Any], settings: Settings) -> None:
    graph: Graph = main_job["graph"]
    with graph.session() as session:
        config = {r["name"]: r["value"] for r in session.run("CALL dbms.clientConfig()")}
    if settings.managed:
        assert config["browser.post_connect_cmd"] == browser.post_connect(
            f"http://127.0.0.1:{settings.api_port}")
        assert "127.0.0.1" in config["browser.remote_content_hostname_whitelist"].split(",")
    commands = browser.post_connect(f"http://127.0.0.1:{settings.api_port}").split("; ")
    paths = {c.split()[0]: httpx.URL(c.split()[1]).path for c in commands}
    origin = f"http://127.0.0.1:{settings.http_port}"
    with served(settings) as port:
        base = f"http://127.0.0.1:{port}"
        guide = httpx.get(base + paths["play"], headers={"Origin": origin, "pragma": "no-cache"})
        style = httpx.get(base + paths["style"], headers={"Origin": origin})
    assert guide.status_code == 200 and style.status_code == 200
    assert guide.headers["access-control-allow-origin"] == origin
    assert "node.Person" in style.text
    slides = re.findall(r'<slide class="row-fluid" data-query="([^"]+)">(.*?)</slide>',
                        guide.text, re.S)
    assert len(slides) == len(browser.cells())
    for name, body in slides:
        params = {}
        for param, expression in re.findall(
                r'<pre class="code runnable" data-param="([^"]+)">:param \1 =&gt; (.*?)</pre>',
                body):
            with graph.session() as session:
                value = session.run(f"RETURN {html.unescape(expression)} AS v").single()["v"]
            assert value is not None, (name, param)
            params[param] = value
        query = html.unescape(re.search(r'data-query="[^"]+">(.*?)</pre>', body, re.S).group(1))
        with graph.session() as session:
            rows = [dict(r) for r in session.run(query, params)]
        assert rows, name
        first = rows[0]
        assert any(v not in (None, [], "") for v in first.values()), name
        if "paths" in first:
            assert first["paths"], name
