"""The taxonomy stage: `run(graph, params) -> TaxonomyReport`.

Reads the official IAB files (or the built-in Content 3.1 subset), writes `(:Interest)`
nodes with `CHILD_OF` parent links, flags the sensitive subtrees and tags
`(:Content)-[:TAGGED]->(:Interest)` from each content's IAB ids and CTV genres.
"""

from __future__ import annotations

import time
from typing import Any

from proteus import runs
from proteus.graph import Runner
from proteus.interest_ids import CONTENT, PREFIX
from proteus.sensitive import Policy, load_policy
from proteus.taxonomy.files import (
    SENSITIVE_ROOT,
    VERSION,
    Category,
    Taxonomy,
    resolve,
)
from proteus.taxonomy.models import TaxonomyCounts, TaxonomyParams, TaxonomyReport

BATCH = 5_000


def sensitive_ids(taxonomy: Taxonomy, policy: Policy) -> set[str]:
    """The Sensitive Topics subtree and every subtree the policy names."""
    roots = {c.id for c in taxonomy.categories if c.tier == 1 and c.name == SENSITIVE_ROOT
             and taxonomy.taxonomy == CONTENT}
    roots |= set(policy.sensitive_interests)
    children: dict[str, list[str]] = {}
    for c in taxonomy.categories:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c.id)
    found: set[str] = set()
    stack = [r for r in roots if r.startswith(PREFIX[taxonomy.taxonomy] + ":")]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, []))
    return found


def _rows(taxonomy: Taxonomy, sensitive: set[str]) -> list[dict[str, Any]]:
    def row(c: Category) -> dict[str, Any]:
        return {"id": c.id, "iab_id": c.iab_id, "name": c.name, "tier": c.tier,
                "taxonomy": c.taxonomy, "version": VERSION[c.taxonomy],
                "sensitive": c.id in sensitive, "source": taxonomy.source}

    return [row(c) for c in taxonomy.categories]


def _write(graph: Runner, taxonomy: Taxonomy, sensitive: set[str], run_id: str) -> int:
    rows = _rows(taxonomy, sensitive)
    links = [{"id": c.id, "parent": c.parent_id} for c in taxonomy.categories if c.parent_id]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("taxonomy/merge_interests", {"rows": rows[i:i + BATCH], "run_id": run_id})
        for i in range(0, len(rows), BATCH)]
    steps.append(("taxonomy/clear_parents", {"taxonomy": taxonomy.taxonomy}))
    steps += [("taxonomy/merge_parents", {"rows": links[i:i + BATCH]})
              for i in range(0, len(links), BATCH)]
    graph.write_many(steps)
    removed = graph.write("taxonomy/remove_stale", taxonomy=taxonomy.taxonomy,
                          ids=[r["id"] for r in rows])
    return int(removed[0]["removed"]) if removed else 0


def run(graph: Runner, params: TaxonomyParams) -> TaxonomyReport:
    started = time.monotonic()
    taxonomies, genres, source = resolve(params.dir)
    policy = load_policy(params.policy)
    with runs.track(graph, "taxonomy", params,
                    rule_versions={"policy": policy.version}) as run_:
        removed = {t.taxonomy: _write(graph, t, sensitive_ids(t, policy), run_.id)
                   for t in taxonomies}
        tagged = graph.write("taxonomy/tag_content", prefix=PREFIX[CONTENT] + ":",
                             genres=genres, run_id=run_.id)
        counts = [TaxonomyCounts(**row, removed=removed.get(row["taxonomy"], 0))
                  for row in graph.read("taxonomy/counts")]
        tag = tagged[0] if tagged else {"contents": 0, "tags": 0, "unknown": 0}
        report = TaxonomyReport(
            run_id=run_.id, params=params, source=source, policy_version=policy.version,
            taxonomies=counts, genre_mappings=len(genres), contents_tagged=tag["contents"],
            tags=tag["tags"], unknown_iab_ids=tag["unknown"],
            seconds=round(time.monotonic() - started, 3))
        run_.report = report
    return report
