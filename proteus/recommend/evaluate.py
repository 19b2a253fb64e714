"""Offline evaluation: leave-last-out hit rate and NDCG at 10 against popularity.

For each viewer with at least `min_history` distinct contents, the content watched last is
held out; neighbours and popularity are recomputed from everything else (so the held-out
view never informs its own ranking), the viewer's interests are approximated by the tags of
the training history (stored interest profiles saw the held-out view), and `blend.rank` —
the code that serves requests — ranks candidates. The baseline recommends the most popular
unwatched contents, measured in the same run on the same viewers.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import defaultdict
from typing import Any

import numpy as np

from proteus import views
from proteus.graph import Runner
from proteus.recommend import serve
from proteus.recommend.blend import rank
from proteus.recommend.catalog import Catalog
from proteus.recommend.models import BlendParams, RecommendParams
from proteus.recommend.similarity import neighbours, popularity
from proteus.recommend.stage import viewers as viewers_of
from proteus.views import ViewTable

K = 10


def histories(table: ViewTable) -> dict[str, list[tuple[str, float, int]]]:
    """Each viewer's (content, seconds, last watched) rows."""
    names, viewer = viewers_of(table)
    order = np.argsort(viewer, kind="stable")
    bounds = np.searchsorted(viewer[order], np.arange(len(names) + 1))
    contents = np.array(table.contents, dtype=object)[table.content[order]].tolist()
    seconds = table.seconds[order].astype(float).tolist()
    last = table.last[order].tolist()
    return {names[v]: list(zip(contents[a:b], seconds[a:b], last[a:b], strict=True))
            for v, (a, b) in enumerate(itertools.pairwise(bounds.tolist())) if b > a}


def _split(rows: list[tuple[str, float, int]]) -> tuple[dict[str, float], str]:
    seconds: dict[str, float] = defaultdict(float)
    last: dict[str, int] = {}
    for content, sec, when in rows:
        seconds[content] += sec
        last[content] = max(last.get(content, when), when)
    held = max(last, key=lambda c: (last[c], c))
    seconds.pop(held)
    return dict(seconds), held


def _profile(train: dict[str, float], tags: dict[str, list[str]],
             top: int) -> list[tuple[str, str | None, float]]:
    weight: dict[str, float] = defaultdict(float)
    for content, sec in train.items():
        for interest in tags.get(content, ()):
            weight[interest] += math.log1p(sec / 60.0)
    best = sorted(weight, key=lambda i: (-weight[i], i))[:top]
    peak = weight[best[0]] if best else 1.0
    return [(i, None, weight[i] / peak) for i in best]


def bench_recs(graph: Runner, users: int = 1000, min_history: int = 3, seed: int = 7,
               params: RecommendParams | None = None,
               blend: BlendParams | None = None) -> dict[str, Any]:
    """hr_at_10, ndcg_at_10 and the popularity baseline's, on up to `users` viewers."""
    params, blend = params or RecommendParams(), blend or BlendParams()
    started = time.monotonic()
    viewers = histories(views.load(graph, params.views, with_last=True))
    tags = {r["content"]: list(r["interests"]) for r in graph.read("recommend/content_tags")}
    split = {u: _split(rows) for u, rows in viewers.items()
             if len({c for c, _, _ in rows}) >= min_history}
    train = {u: list(split[u][0]) if u in split else [c for c, _, _ in rows]
             for u, rows in viewers.items()}
    found = neighbours(train, params.top_k, params.shrink, params.min_co_viewers)
    ranked = popularity(train)
    by_interest: dict[str, list[str]] = defaultdict(list)
    for content, _ in ranked:
        for interest in tags.get(content, ()):
            by_interest[interest].append(content)
    catalog = Catalog(popular=[(c, None, r, v) for r, (c, v) in enumerate(ranked, start=1)],
                      tags=tags, by_interest=dict(by_interest))
    chosen = sorted(split)
    random.Random(seed).shuffle(chosen)
    chosen = chosen[:users]
    hits = base_hits = 0
    ndcg = base_ndcg = 0.0
    for user in chosen:
        history, held = split[user]
        seeds = sorted(history, key=lambda c: (-history[c], c))[:blend.seeds]
        row = {"person": user, "watched": list(history),
               "seeds": [[s, history[s]] for s in seeds],
               "neighbours": [[s, n.target, n.score, n.rank]
                              for s in seeds for n in found.get(s, ())],
               "interests": [{"interest": i, "score": w}
                             for i, _, w in _profile(history, tags, blend.interests)]}
        candidates = serve.candidates(row, catalog, user, "person", K, blend)
        got = [item.content for item in rank(candidates, K, blend).items]
        baseline = [c for c, _ in ranked if c not in history][:K]
        if held in got:
            hits += 1
            ndcg += 1.0 / math.log2(got.index(held) + 2)
        if held in baseline:
            base_hits += 1
            base_ndcg += 1.0 / math.log2(baseline.index(held) + 2)
    n = max(len(chosen), 1)
    hr, base_hr = hits / n, base_hits / n
    return {"users": len(chosen), "viewers": len(viewers), "contents": len(ranked),
            "hr_at_10": round(hr, 4), "ndcg_at_10": round(ndcg / n, 4),
            "baseline_hr_at_10": round(base_hr, 4), "baseline_ndcg_at_10": round(base_ndcg / n, 4),
            "ratio_vs_baseline": round(hr / base_hr, 3) if base_hr else None,
            "seconds": round(time.monotonic() - started, 3)}
