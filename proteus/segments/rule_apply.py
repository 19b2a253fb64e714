"""Rule segments against the graph: check ids, compile, dry-run, apply.

A rule compiles to parameters of the one traversal `conditions/members` that audiences also
run, without governance (no purpose, person target); a dry run returns its count and the
query, and `apply` writes exactly the persons that query returns.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from pydantic import BaseModel

from proteus import queries, runs
from proteus.conditions.compile import QUERY, compile_conditions, traversal_params
from proteus.conditions.model import InterestCondition, SegmentCondition
from proteus.conditions.recency import latest_day
from proteus.conditions.summary import SUMMARY_VERSION, require_current
from proteus.errors import InputError
from proteus.graph import Runner
from proteus.interest_ids import split
from proteus.segments.rules import Rule

BATCH = 10_000
# Rules applied before the one condition language ran this query and have a digest of their
# former form: the same version is refreshed, taking the digest of the one language's form.
FORMER_QUERY = "segments/rule_members"
SAMPLE = 5


class DryRun(BaseModel):
    rule_id: str
    version: int
    digest: str
    count: int
    sample: list[str]
    query_name: str
    query: str
    params: dict[str, Any]
    reference_day: date | None = None  # the latest accepted viewing day recency counts from
    seconds: float


class RuleReport(BaseModel):
    run_id: str
    rule_id: str
    version: int
    digest: str
    size: int
    replaced: bool
    reference_day: date | None = None  # the latest accepted viewing day recency counts from
    seconds: float


def check(graph: Runner, rule: Rule) -> None:
    """Refuse unknown or sensitive interests and unknown segments, naming the field."""
    interests: dict[str, str] = {}
    segments: dict[str, str] = {}
    for group in ("all", "any"):
        for i, c in enumerate(getattr(rule, group)):
            if isinstance(c, InterestCondition):
                interests.update({iid: f"{group}[{i}].interest" for iid in c.interest})
            elif isinstance(c, SegmentCondition):
                segments.update({sid: f"{group}[{i}].segment" for sid in c.segment})
    found = graph.read("segments/known_ids", interests=sorted(interests),
                       segments=sorted(segments))
    row = found[0] if found else {"interests": [], "sensitive": [], "segments": []}
    for iid, where in interests.items():
        if iid not in row["interests"]:
            taxonomy, official = split(iid)
            raise InputError(f"rule {rule.id}: {where}: unknown interest {official} "
                             f"in {taxonomy}")
        if iid in row["sensitive"]:
            raise InputError(f"rule {rule.id}: {where}: interest {iid} is sensitive "
                             "(rules/policy.yaml) and cannot define a segment")
    for sid, where in segments.items():
        if sid not in row["segments"]:
            raise InputError(f"rule {rule.id}: {where}: unknown segment {sid}")


def compile_rule(rule: Rule, reference: date | None) -> dict[str, Any]:
    """The parameters of `conditions/members` for this rule, recency counted back from
    `reference` (the latest accepted viewing day)."""
    return traversal_params(compile_conditions(rule.groups(), reference),
                            summary_version=SUMMARY_VERSION)


def persons(graph: Runner, params: dict[str, Any]) -> list[str]:
    """The persons the rule selects, sorted."""
    [found] = graph.read_plain(QUERY, **params)
    require_current(int(found["stale"]))
    return sorted(str(row["person"]) for row in found["rows"])


def dry_run(graph: Runner, rule: Rule) -> DryRun:
    started = time.monotonic()
    check(graph, rule)
    reference = latest_day(graph)
    params = compile_rule(rule, reference)
    selected = persons(graph, params)
    return DryRun(rule_id=rule.id, version=rule.version, digest=rule.digest(),
                  count=len(selected), sample=selected[:SAMPLE], query_name=QUERY,
                  query=queries.get(QUERY).text, params=params, reference_day=reference,
                  seconds=round(time.monotonic() - started, 3))


def apply(graph: Runner, rule: Rule) -> RuleReport:
    """Materialise the rule as `(:Segment {kind: 'rule'})` with IN_SEGMENT memberships."""
    started = time.monotonic()
    check(graph, rule)
    existing = graph.read("segments/rule_segment", id=rule.id)
    old = existing[0]["segment"] if existing else None
    if old and old["kind"] != "rule":
        raise InputError(f"rule {rule.id}: id: a {old['kind']} segment has this id")
    if old and old["version"] == rule.version and old["digest"] != rule.digest() \
            and old.get("query") != FORMER_QUERY:
        raise InputError(f"rule {rule.id}: version: version {rule.version} was applied with "
                         "different conditions; bump the version")
    if old and old["version"] > rule.version:
        raise InputError(f"rule {rule.id}: version: {rule.version} is older than the applied "
                         f"version {old['version']}")
    reference = latest_day(graph)
    params = compile_rule(rule, reference)
    with runs.track(graph, "segment-rule", rule,
                    rule_versions={rule.id: str(rule.version)}) as run_:
        selected = persons(graph, params)
        graph.write("segments/write_rule_segment", id=rule.id, segment_name=rule.name,
                    version=rule.version, digest=rule.digest(), description=rule.description,
                    query=QUERY, size=len(selected), run_id=run_.id)
        for start in range(0, len(selected), BATCH):
            block = selected[start:start + BATCH]
            graph.write("segments/write_members", segments=[rule.id], persons=block,
                        segment=[0] * len(block), run_id=run_.id)
        report = RuleReport(run_id=run_.id, rule_id=rule.id, version=rule.version,
                            digest=rule.digest(), size=len(selected), replaced=old is not None,
                            reference_day=reference,
                            seconds=round(time.monotonic() - started, 3))
        run_.report = report
    return report
