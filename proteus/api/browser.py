"""The Neo4j Browser's guide and style, served to the Browser with no key.

Mounted at `/browser` outside `/v1` and the OpenAPI schema: the Browser fetches them by
`:play` and `:style` when it connects (`proteus.browser`), from its own origin (the managed
server's HTTP port), so they carry CORS headers for that origin only. They hold the project's
query texts and style, no data.
"""

from __future__ import annotations

from functools import cache

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from proteus import browser
from proteus.settings import Settings


@cache
def _guide(style_url: str) -> str:
    return browser.guide_html(style_url)


async def guide(request: Request) -> Response:
    return HTMLResponse(_guide(str(request.url_for("style"))),
                        headers={"Cache-Control": "no-cache"})


async def style(request: Request) -> Response:
    return PlainTextResponse(browser.style(), headers={"Cache-Control": "no-cache"})


def origins(settings: Settings) -> list[str]:
    """Where the managed server's Browser is served from."""
    return [f"http://{host}:{settings.http_port}" for host in ("127.0.0.1", "localhost")]


def app(settings: Settings) -> Starlette:
    return Starlette(
        routes=[Route("/guide.html", guide, name="guide"),
                Route("/proteus.grass", style, name="style")],
        middleware=[Middleware(CORSMiddleware, allow_origins=origins(settings),
                               allow_methods=["GET"],
                               allow_headers=["pragma", "cache-control", "content-type"])])
