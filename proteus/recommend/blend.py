"""Ranking candidates into recommendations, each with the path that explains it.

    score(c) = neighbour_weight   * sum_seed w(seed) * sim(seed, c) / max over candidates
             + interest_weight    * sum of the viewer's interest scores tagging c / max
             + popularity_weight  * 1 / log2(1 + popularity rank of c)

with w(seed) = log1p(recency-decayed minutes watched) (`seeds.weight`; the seeds and their
decay are chosen by the serving query, the same score as `seeds.choose`). Already-watched
content is never recommended; a viewer with no neighbour candidate and no interest falls
back to popularity (cold start). Serving (`serve.py`) calls `rank`; offline evaluation
(`evaluate.py`) calls serving.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from proteus.recommend.models import BlendParams, PathStep, Recommendation, Recommendations
from proteus.recommend.seeds import describe, weight


@dataclass
class Candidates:
    """What one viewer's ranking needs; `seeds` as (content, title, seconds, recent, age):
    total and recency-decayed seconds, days between its latest view and the viewer's latest
    viewing day."""

    subject: str
    kind: str
    person: str | None
    watched: set[str]
    seeds: list[tuple[str, str | None, float, float, int | None]]
    neighbours: Sequence[tuple[str, str, str | None, float, int, str | None]] = field(
        default_factory=list)  # (seed, content, title, score, rank, run_id)
    interests: Sequence[tuple[str, str | None, float]] = field(default_factory=list)
    interest_items: Sequence[tuple[str, str, str | None]] = field(default_factory=list)
    popular: Sequence[tuple[str, str | None, int, int | None]] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)


def scores(c: Candidates, params: BlendParams) -> dict[str, tuple[float, float, float]]:
    """(neighbour, interest, popularity) parts per unwatched candidate, each in [0, 1]."""
    seed_w = {content: weight(recent) for content, _, _, recent, _ in c.seeds}
    nb: dict[str, float] = defaultdict(float)
    for seed, content, _, score, _, _ in c.neighbours:
        if content not in c.watched:
            nb[content] += seed_w.get(seed, 0.0) * score
    interest_score = {i: s for i, _, s in c.interests}
    candidates = set(nb) | {content for _, content, _ in c.interest_items}
    candidates |= {content for content, _, _, _ in c.popular}
    candidates -= c.watched
    tags = c.tags
    it = {content: sum(interest_score.get(i, 0.0) for i in tags[content]) if content in tags
          else 0 for content in candidates}
    rank = {content: r for content, _, r, _ in c.popular}
    top_nb = max(nb.values(), default=0.0) or 1.0
    top_it = max(it.values(), default=0.0) or 1.0
    return {content: (nb.get(content, 0.0) / top_nb, it[content] / top_it,
                      1.0 / math.log2(1 + rank[content]) if content in rank else 0.0)
            for content in candidates}


@dataclass
class _Lookups:
    """What every item's explanation looks up, built once per ranking."""

    seeds: dict[str, tuple[str | None, float, float, int | None]]
    best: dict[str, tuple[str, str, str | None, float, int, str | None]]
    interests: dict[str, tuple[str | None, float]]
    popular: dict[str, tuple[str, str | None, int, int | None]]


def _lookups(c: Candidates) -> _Lookups:
    seeds = {s: (t, sec, recent, age) for s, t, sec, recent, age in c.seeds}
    seed_w = {s: weight(recent) for s, (_, _, recent, _) in seeds.items()}
    # per content, the seed that contributed most; equal contributions go to the smaller
    # seed id, then to the first listed
    best: dict[str, tuple[str, str, str | None, float, int, str | None]] = {}
    keys: dict[str, tuple[float, str]] = {}
    for n in c.neighbours:
        key = (-seed_w.get(n[0], 0.0) * n[3], n[0])
        found = keys.get(n[1])
        if found is None or key < found:
            keys[n[1]] = key
            best[n[1]] = n
    popular: dict[str, tuple[str, str | None, int, int | None]] = {}
    for p in c.popular:
        popular.setdefault(p[0], p)
    return _Lookups(seeds=seeds, best=best, interests={i: (n, s) for i, n, s in c.interests},
                    popular=popular)


def rank(c: Candidates, k: int, params: BlendParams) -> Recommendations:
    parts = scores(c, params)
    total = {content: params.neighbour_weight * n + params.interest_weight * i
             + params.popularity_weight * p for content, (n, i, p) in parts.items()}
    chosen = sorted(total, key=lambda content: (-total[content], content))[:k]
    cold = not any(parts[content][0] or parts[content][1] for content in parts)
    titles = {content: title for _, content, title, *_ in c.neighbours}
    titles.update({content: title for _, content, title in c.interest_items})
    titles.update({content: title for content, title, *_ in c.popular})
    found = _lookups(c)
    items = [_explain(c, found, content, titles.get(content), total[content], parts[content],
                      params) for content in chosen]
    return Recommendations(subject=c.subject, kind=c.kind, person=c.person,  # type: ignore[arg-type]
                           cold_start=cold, watched=len(c.watched), items=items)


def _explain(c: Candidates, found: _Lookups, content: str, title: str | None, total: float,
             part: tuple[float, float, float], params: BlendParams) -> Recommendation:
    nb, it, pop = part
    viewer = f"{c.kind} {c.subject}"
    path: list[PathStep] = []
    sources: list[str] = []
    if nb > 0:
        sources.append("neighbours")
        seed, _, _, score, sim_rank, run_id = found.best[content]
        seed_title, seconds, recent, age = found.seeds.get(seed, (None, 0.0, 0.0, None))
        path.append(PathStep(kind="watched", source=viewer, target=seed, relationship="WATCHED",
                         properties={"seconds": seconds, "title": seed_title,
                                     "recent_seconds": round(recent, 1), "age_days": age},
                         weight=0.0,
                         sentence=f"{viewer} watched {seed_title or seed} {describe(age)}, "
                                  f"{int(seconds) // 60} min in all (a seed for its recent "
                                  f"watch time, {int(recent) // 60} min after decay)"))
        path.append(PathStep(kind="similar", source=seed, target=content, relationship="SIMILAR",
                         properties={"score": score, "rank": sim_rank, "run_id": run_id},
                         weight=round(params.neighbour_weight * nb, 6),
                         sentence=f"viewers of {seed_title or seed} also watch "
                                  f"{title or content} (similarity {score:.3f}, "
                                  f"neighbour #{sim_rank})"))
    if it > 0:
        sources.append("interests")
        names = found.interests
        best_interest = max((i for i in c.tags.get(content, ()) if i in names),
                            key=lambda i: names[i][1])
        name, score = names[best_interest]
        path.append(PathStep(kind="interested_in", source=c.person or viewer,
                         target=best_interest, relationship="INTERESTED_IN",
                         properties={"score": score, "name": name}, weight=0.0,
                         sentence=f"person {c.person} is interested in {name or best_interest}"
                                  f" (score {score:.3f})"))
        path.append(PathStep(kind="tagged", source=content, target=best_interest,
                         relationship="TAGGED", properties={"title": title},
                         weight=round(params.interest_weight * it, 6),
                         sentence=f"{title or content} is tagged {name or best_interest}"))
    if pop > 0:
        sources.append("popularity")
        _, _, pop_rank, viewers = found.popular[content]
        path.append(PathStep(kind="popular", source=content, target=content, relationship=None,
                         properties={"rank": pop_rank, "viewers": viewers},
                         weight=round(params.popularity_weight * pop, 6),
                         sentence=f"{title or content} is #{pop_rank} by viewers "
                                  f"({viewers} viewers)"))
    sentence = "; ".join(step.sentence for step in path if step.weight > 0 or
                         step.kind == "watched")
    return Recommendation(content=content, title=title, score=round(total, 6),
                          sources=sources, path=path, sentence=sentence)  # type: ignore[arg-type]
