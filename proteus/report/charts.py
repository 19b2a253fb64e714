"""Charts as Vega-Lite specs (altair) drawn to static SVG by vl-convert: no script, no
network, the numbers in the marks' `aria-label`s.

Every chart has a title and axis titles; the reading sentence goes under it in the page.
A chart with nothing to draw is not made (`None`): its section says so in words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from proteus.report.model import Chart

if TYPE_CHECKING:
    import altair as alt

WIDTH = 520
_ID = re.compile(r'\bid="([^"]+)"')
PALETTE = ["#4C78A8", "#E45756", "#F58518", "#72B7B2", "#54A24B", "#B279A2", "#9D755D"]


def _scoped(svg: str, key: str) -> str:
    """Prefix the SVG's element ids with the chart key: many SVGs share one page."""
    for found in set(_ID.findall(svg)):
        svg = (svg.replace(f'id="{found}"', f'id="{key}-{found}"')
               .replace(f"url(#{found})", f"url(#{key}-{found})")
               .replace(f'href="#{found}"', f'href="#{key}-{found}"'))
    return svg


def draw(chart: alt.TopLevelMixin, key: str, title: str, reading: str) -> Chart:
    import vl_convert  # imported when a chart is drawn: it is large, most commands draw none

    spec = chart.configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=12).configure_title(
        fontSize=14, anchor="start").to_dict()
    svg = vl_convert.vegalite_to_svg(spec)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)
    return Chart(key=key, title=title, reading=reading, svg=_scoped(svg, key))


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def bars(key: str, title: str, reading: str, rows: Sequence[dict[str, Any]], category: str,
         value: str, category_title: str, value_title: str, color: str | None = None,
         color_title: str | None = None, order: list[str] | None = None,
         vertical: bool = False, grouped: bool = False) -> Chart | None:
    """Bars of `value` per `category` (stacked, or side by side when `grouped`, by `color`)."""
    import altair as alt

    if not any(row.get(value) for row in rows):
        return None
    sort: Any = order if order is not None else "-x" if not vertical else None
    cat = alt.Y(f"{category}:N", title=category_title, sort=sort,
                axis=alt.Axis(labelLimit=260, titlePadding=10)) if not vertical else alt.X(
        f"{category}:N", title=category_title, sort=sort, axis=alt.Axis(labelAngle=0))
    val = (alt.X(f"{value}:Q", title=value_title) if not vertical
           else alt.Y(f"{value}:Q", title=value_title))
    encoding: dict[str, Any] = {"x": val, "y": cat} if not vertical else {"x": cat, "y": val}
    if color is not None:
        encoding["color"] = alt.Color(f"{color}:N", title=color_title or color,
                                      scale=alt.Scale(range=PALETTE))
        if grouped:
            offset = alt.YOffset if not vertical else alt.XOffset
            encoding["yOffset" if not vertical else "xOffset"] = offset(f"{color}:N")
    else:
        encoding["color"] = alt.value(PALETTE[0])
    count = len({row[category] for row in rows})
    size = {"width": WIDTH} if not vertical else {"height": 220}
    if not vertical:
        per = 16 * (len({row[color] for row in rows}) if color and grouped else 1)
        size["height"] = max(60, min(900, count * (per + 6)))
    else:
        size["width"] = max(160, min(WIDTH + 100, count * 36))
    chart = alt.Chart(alt.Data(values=list(rows)), title=title).mark_bar().encode(
        **encoding).properties(**size)
    return draw(chart, key, title, reading)


def sweep(key: str, title: str, reading: str, rows: Sequence[dict[str, Any]]) -> Chart | None:
    """Modularity and segment count against the resolution, the chosen one marked."""
    import altair as alt

    if not rows:
        return None
    base = alt.Chart(alt.Data(values=list(rows))).encode(
        x=alt.X("resolution:Q", title="resolution", scale=alt.Scale(type="log", base=2)))
    modularity = base.mark_line(point=True, color=PALETTE[0]).encode(
        y=alt.Y("modularity:Q", title="modularity", axis=alt.Axis(titleColor=PALETTE[0])))
    count = base.mark_line(point=True, color=PALETTE[1], strokeDash=[4, 3]).encode(
        y=alt.Y("communities:Q", title="communities", axis=alt.Axis(titleColor=PALETTE[1])))
    chosen = base.transform_filter("datum.chosen").mark_rule(color="#888").encode()
    chart = alt.layer(chosen, modularity, count, title=title).resolve_scale(
        y="independent").properties(width=WIDTH, height=220)
    return draw(chart, key, title, reading)
