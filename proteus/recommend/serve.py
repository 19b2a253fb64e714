"""Recommendations for one device or person: one short read of what it watched and its
interests (`recommend/for_device` or `recommend/for_person`), its seeds computed from that
(`seeds.rank_watches`), their neighbours (`recommend/seed_neighbours`), the shared catalog
(popularity, tags), then `blend.rank`.

The API reads the same row without the seeds' neighbours (`viewing(..., neighbours=False)`,
one read) and takes them from its in-memory `NeighbourIndex` (`attach`): the same rows, so
the same answers, with a lighter read.
"""

from __future__ import annotations

from typing import Any

from proteus.errors import InputError, NotFound
from proteus.graph import Row, Runner
from proteus.recommend.blend import Candidates, rank
from proteus.recommend.catalog import Catalog, load_catalog
from proteus.recommend.index import NeighbourIndex
from proteus.recommend.models import BlendParams, Recommendations
from proteus.recommend.seeds import rank_watches

MAX_K = 100


def candidates(row: Row, catalog: Catalog, subject: str, kind: str, k: int,
               params: BlendParams) -> Candidates:
    watched = set(row.get("watched") or ())
    interests = [(i["interest"], i.get("name"), float(i.get("score") or 0))
                 for i in row.get("interests") or ()]
    titles = catalog.titles
    neighbours = [(seed, content, titles.get(content), float(score or 0), int(rank or 0),
                   catalog.run_id) for seed, content, score, rank in row.get("neighbours") or ()]
    popular = catalog.popular[:k + len(watched)]
    items = [(i, content, titles.get(content)) for i, _, _ in interests[:3]
             for content in catalog.by_interest.get(i, ())[:params.per_interest]]
    ids = {i for i, _, _ in interests}
    pool = {n[1] for n in neighbours} | {c for _, c, _ in items} | {p[0] for p in popular}
    return Candidates(
        subject=subject, kind=kind, person=row.get("person"), watched=watched,
        seeds=[(content, titles.get(content), float(seconds or 0), float(recent or 0),
                None if age is None else int(age))
               for content, seconds, recent, age in row.get("seeds") or ()],
        neighbours=neighbours, interests=interests, interest_items=items, popular=popular,
        tags=_tags(catalog, pool, ids) if ids else {})


def _tags(catalog: Catalog, pool: set[str], ids: set[str]) -> dict[str, list[str]]:
    """The viewer's interests tagging each pool content, for the contents they tag."""
    found: dict[str, list[str]] = {}
    for content in pool:
        tags = catalog.tags.get(content)
        if tags:
            kept = [i for i in tags if i in ids]
            if kept:
                found[content] = kept
    return found


def _check(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise InputError(f"k: must be between 1 and {MAX_K}")


_QUERIES = {"device": ("recommend/for_device", "devices"),
            "person": ("recommend/for_person", "persons")}


def viewings(graph: Runner, kind: str, subjects: list[str], params: BlendParams,
             neighbours: bool = True) -> dict[str, Row]:
    """Each subject's recommendation inputs: person, watched (best seed first), seeds
    [content, seconds, recent, age], interests and, when asked, the seeds' neighbours
    [seed, content, score, rank]; subjects that do not exist are left out. One read of what
    the subjects watched as stored (the seeds are computed here), and one more for all
    their seeds' neighbours."""
    name, key = _QUERIES[kind]
    found: dict[str, Row] = {}
    for row in graph.read_plain(name, **{key: subjects}, interests=params.interests):
        watched, seeds = rank_watches(row.get("watches") or (), params.seeds,
                                      float(params.half_life_days))
        found[row["subject"]] = {"person": row.get("person"), "watched": watched,
                                 "seeds": seeds, "interests": row.get("interests") or []}
    if neighbours and found:
        wanted = sorted({s[0] for row in found.values() for s in row["seeds"]})
        read = graph.read_plain("recommend/seed_neighbours", seeds=wanted)
        by_seed: dict[str, list[list[Any]]] = {}
        for seed, *rest in read[0]["neighbours"] if read else ():
            by_seed.setdefault(seed, []).append([seed, *rest])
        for row in found.values():
            row["neighbours"] = [n for s in row["seeds"] for n in by_seed.get(s[0], ())]
    return found


def viewing(graph: Runner, kind: str, subject: str, params: BlendParams,
            neighbours: bool = True) -> Row | None:
    """`viewings` of one subject; None when it does not exist."""
    return viewings(graph, kind, [subject], params, neighbours).get(subject)


def attach(row: Row, index: NeighbourIndex) -> Row:
    """The row with its seeds' neighbours from the index, in seed order then rank."""
    found = [[seed, content, score, n_rank] for seed, *_ in row.get("seeds") or ()
             for content, score, n_rank in index.pairs(seed)]
    return {**row, "neighbours": found}


def from_row(row: Row, catalog: Catalog, kind: str, subject: str, k: int,
             params: BlendParams | None = None) -> Recommendations:
    _check(k)
    params = params or BlendParams()
    return rank(candidates(row, catalog, subject, kind, k, params), k, params)


def _recommend(graph: Runner, kind: str, subject: str, k: int, params: BlendParams | None,
               catalog: Catalog | None) -> Recommendations:
    _check(k)
    params = params or BlendParams()
    row = viewing(graph, kind, subject, params)
    if row is None:
        raise NotFound(f"no {kind} {subject}")
    return from_row(row, catalog or load_catalog(graph), kind, subject, k, params)


def for_device(graph: Runner, device: str, k: int = 10, params: BlendParams | None = None,
               catalog: Catalog | None = None) -> Recommendations:
    """Top `k` unwatched contents for a device, each with its explanation path."""
    return _recommend(graph, "device", device, k, params, catalog)


def for_person(graph: Runner, person: str, k: int = 10, params: BlendParams | None = None,
               catalog: Catalog | None = None) -> Recommendations:
    """Top `k` contents none of the person's devices watched, each with its path."""
    return _recommend(graph, "person", person, k, params, catalog)
