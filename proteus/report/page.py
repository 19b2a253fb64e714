"""The report as one self-contained HTML page: inline CSS and SVG, no script, no link out."""

from __future__ import annotations

import jinja2

from proteus.report.model import Report

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Proteus run report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 0 auto; max-width: 1100px;
       padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
.meta, .run { color: #666; margin: .2rem 0; }
nav a { margin-right: .8rem; }
dl.figures { display: flex; flex-wrap: wrap; gap: .5rem; margin: .8rem 0; }
dl.figures div { background: #f5f6f8; border-radius: 4px; padding: .35rem .7rem; }
dl.figures dt { font-size: .75rem; color: #666; }
dl.figures dd { margin: 0; font-weight: 600; }
figure.chart { margin: 1.2rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: #333; font-style: italic; margin-top: .2rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .85rem; }
caption { text-align: left; font-weight: 600; margin-bottom: .2rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .2rem .6rem; text-align: left;
         vertical-align: top; }
p.note { color: #555; }
</style>
</head>
<body>
<header>
<h1>Proteus run report</h1>
<p class="meta">Generated {{ report.generated }} by proteus {{ report.code_version }};
{{ report.sections | length }} stage runs.</p>
<nav>{% for s in report.sections %}<a href="#{{ s.stage }}-{{ loop.index }}">{{ s.title }}</a>
{% endfor %}</nav>
<table class="runs"><caption>Runs</caption>
<tr><th>stage</th><th>run</th><th>status</th><th>started</th><th>finished</th></tr>
{% for s in report.sections %}<tr><td>{{ s.stage }}</td><td>{{ s.run_id or "" }}</td>
<td>{{ s.status or "" }}</td><td>{{ s.started or "" }}</td><td>{{ s.finished or "" }}</td></tr>
{% endfor %}</table>
</header>
{% for s in report.sections %}
<section id="{{ s.stage }}-{{ loop.index }}" data-stage="{{ s.stage }}"
 data-run="{{ s.run_id or '' }}">
<h2>{{ s.title }}</h2>
<p class="run">run {{ s.run_id or "(not stored)" }} · {{ s.status or "" }}</p>
{% if s.figures %}<dl class="figures">{% for f in s.figures %}
<div><dt>{{ f.label }}</dt><dd>{{ f.value }}</dd></div>{% endfor %}</dl>{% endif %}
{% for c in s.charts %}<figure class="chart" data-chart="{{ c.key }}">
{{ c.svg | safe }}
<figcaption>{{ c.reading }}</figcaption>
</figure>
{% endfor %}
{% for t in s.tables %}<table><caption>{{ t.caption }}</caption>
<tr>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in t.rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}
{% for n in s.notes %}<p class="note">{{ n }}</p>
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, trim_blocks=False, undefined=jinja2.StrictUndefined)


def render(report: Report) -> str:
    return _ENV.from_string(_TEMPLATE).render(report=report)
