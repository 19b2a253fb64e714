"""Neo4j Browser opens on Proteus: a guide of the analyst queries and the Proteus style.

The managed server's `browser.post_connect_cmd` (proteus/db/neo4j.conf.template) makes the
Browser, once connected, apply the style and play the guide, both fetched from the API
(`proteus.api.browser`), so nothing comes from outside the machine:

    :style http://127.0.0.1:8000/browser/proteus.grass
    :play http://127.0.0.1:8000/browser/guide.html

The guide has one slide per query of `cypher/analyst/`: what it shows, `:param` cells that
pick example values from the graph the Browser is connected to (the expressions of
`cypher/browser/example_params.cypher`, evaluated by the server when clicked, so the guide
itself holds no data), and the query, each a clickable cell.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from proteus import queries

__all__ = ["GUIDE_PATH", "STYLE_PATH", "Cell", "cells", "guide_html", "post_connect", "style"]

GUIDE_PATH = "/browser/guide.html"
STYLE_PATH = "/browser/proteus.grass"
_RETURN = re.compile(r"^RETURN\s+(?P<expr>.+)\s+AS\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)$",
                     re.DOTALL)
_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Cell:
    """One guide slide: an analyst query, its sentence, and its `:param` cells."""

    name: str
    title: str
    sentence: str
    returns: str
    params: tuple[tuple[str, str], ...]  # (parameter, one-line expression)
    query: str

    def param_commands(self) -> list[str]:
        return [f":param {name} => {expr}" for name, expr in self.params]


@cache
def example_params() -> dict[str, str]:
    """Parameter name -> the one-line Cypher expression that picks an example value."""
    found: dict[str, str] = {}
    for statement in queries.get("browser/example_params").statements:
        match = _RETURN.match(" ".join(statement.split()))
        if match is None:
            raise ValueError(f"browser/example_params: not `RETURN expr AS name`: {statement}")
        found[match.group("name")] = match.group("expr")
    return found


def _sentence(description: str) -> str:
    """The query's description without the lines telling how to set parameters by hand."""
    kept = [s for s in re.split(r"(?<=\.)\s+", description) if "In Browser" not in s]
    return " ".join(kept).strip()


def cells() -> list[Cell]:
    """The analyst queries in name order, each with the example parameters it needs."""
    examples = example_params()
    out = []
    for name, query in sorted(queries.catalog().items()):
        if not name.startswith("analyst/"):
            continue
        missing = sorted(query.params - examples.keys())
        if missing:
            raise ValueError(f"{name}: no example value for {', '.join(missing)} in "
                             "cypher/browser/example_params.cypher")
        short = name.split("/", 1)[1]
        out.append(Cell(name=name, title=short.replace("_", " ").capitalize(),
                        sentence=_sentence(query.description), returns=query.returns,
                        params=tuple((p, examples[p]) for p in sorted(query.params)),
                        query=query.text))
    return out


def _inline(text: str) -> str:
    return _CODE.sub(r"<code>\1</code>", html.escape(text, quote=False))


def _slide(cell: Cell) -> str:
    params = "".join(f'\n        <pre class="code runnable" data-param="{name}">'
                     f"{html.escape(command, quote=False)}</pre>"
                     for (name, _), command in zip(cell.params, cell.param_commands(),
                                                   strict=True))
    setup = ("\n        <p>First set its parameters: each cell picks an example from this "
             f"graph.</p>{params}\n        <p>Then run the query:</p>") if params else ""
    query = html.escape(cell.query, quote=False)
    return f"""
    <slide class="row-fluid" data-query="{cell.name}">
      <div class="col-sm-3">
        <h3>{html.escape(cell.title)}</h3>
        <p class="lead">{_inline(cell.sentence)}</p>
        <p>Returns {html.escape(cell.returns)}. The file is
        <code>cypher/{cell.name}.cypher</code>.</p>
      </div>
      <div class="col-sm-9">{setup}
        <pre class="code runnable" data-query="{cell.name}">{query}</pre>
      </div>
    </slide>"""


def guide_html(style_url: str) -> str:
    """The guide as Neo4j Browser plays it (`:play URL`): a carousel of slides."""
    found = cells()
    contents = "".join(f"<li>{html.escape(c.title)}</li>" for c in found)
    return f"""<article class="guide">
  <carousel class="deck container-fluid">
    <slide class="row-fluid" data-intro="proteus">
      <div class="col-sm-3">
        <h3>Proteus</h3>
        <p class="lead">Audience intelligence on this graph: devices resolved into persons and
        households, interests, segments, audiences and recommendations.</p>
      </div>
      <div class="col-sm-9">
        <p>The next slides hold the analyst queries (<code>cypher/analyst/</code>). Click a
        cell to put it in the editor, or its play icon to run it. Run a slide's
        <code>:param</code> cells first: they pick example ids from this graph.</p>
        <ol>{contents}</ol>
        <p>The Proteus style (a colour and caption per label) was applied on connect. To
        apply it again:</p>
        <pre class="code runnable" data-style="proteus">:style {html.escape(style_url)}</pre>
      </div>
    </slide>{"".join(_slide(c) for c in found)}
  </carousel>
</article>
"""


def style() -> str:
    """The Browser style sheet (GraSS) of the Proteus labels and relationship types."""
    return (resources.files("proteus.browser") / "style.grass").read_text(encoding="utf-8")


def post_connect(api_url: str) -> str:
    """The value of `browser.post_connect_cmd`: apply the style, then play the guide."""
    return f"style {api_url}{STYLE_PATH}; play {api_url}{GUIDE_PATH}"
