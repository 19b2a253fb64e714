"""The Neo4j Browser guide: every analyst query as a slide with its `:param` cells, served
by the API with CORS for the managed Browser's origin only; the server's config names it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from proteus import browser, queries
from proteus.api import create_app
from proteus.db import server
from proteus.settings import Settings


def test_every_analyst_query_has_a_slide_with_its_parameters() -> None:
    analyst = {n for n in queries.catalog() if n.startswith("analyst/")}
    page = browser.guide_html("http://127.0.0.1:8000/browser/proteus.grass")
    assert set(re.findall(r'<pre class="code runnable" data-query="([^"]+)">', page)) == analyst
    for cell in browser.cells():
        assert {name for name, _ in cell.params} == set(queries.get(cell.name).params)
        for command in cell.param_commands():
            assert "\n" not in command and command.startswith(":param ")
        assert cell.sentence and "In Browser" not in cell.sentence
    assert ':style http://127.0.0.1:8000/browser/proteus.grass' in page
    assert "<script" not in page
    # the Browser strips attributes named on...= from a guide: none of its text may look so
    assert not re.search(r"\s+(on[^\s=]+)[^\s=]*\s*=", page)


def test_the_server_config_plays_the_guide_on_connect() -> None:
    settings = Settings(api_port=8123, http_port=7575)
    text = server._conf_text(server.Layout.of(settings), settings, server.Layout.of(
        settings).data)
    assert ("browser.post_connect_cmd=style http://127.0.0.1:8123/browser/proteus.grass; "
            "play http://127.0.0.1:8123/browser/guide.html") in text
    assert "browser.remote_content_hostname_whitelist=127.0.0.1,localhost" in text


def test_the_api_serves_guide_and_style_to_the_browser_origin_only() -> None:
    api = TestClient(create_app(Settings(http_port=7575)))
    origin = "http://127.0.0.1:7575"
    preflight = api.options("/browser/guide.html", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "pragma,cache-control"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    guide = api.get("/browser/guide.html", headers={"Origin": origin, "pragma": "no-cache"})
    assert guide.status_code == 200 and guide.headers["content-type"].startswith("text/html")
    assert guide.headers["access-control-allow-origin"] == origin
    assert ":style http://testserver/browser/proteus.grass" in guide.text
    style = api.get("/browser/proteus.grass", headers={"Origin": "http://localhost:7575"})
    assert style.status_code == 200 and "node.Person {" in style.text
    elsewhere = api.get("/browser/guide.html", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in elsewhere.headers
    assert "/browser/guide.html" not in api.get("/openapi.json").json()["paths"]
