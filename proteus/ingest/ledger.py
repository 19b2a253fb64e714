"""Event ids already ingested, so that an event delivered again in a later file is counted
as a duplicate instead of being summed twice.

Each group of files, once folded, leaves the ids and UTC days of its accepted events in
`work/ledger/<kind>/<group id>.parquet`. A later group of the same kind treats as
duplicates its events whose id an earlier *complete* group already holds within
`horizon_days` of the event's day (0 turns the check off). The graph decides which groups
count: files of groups it does not know (after a reset) are deleted, files of groups that
did not complete are ignored, so a resumed group never meets its own events.
"""

from __future__ import annotations

from pathlib import Path

from proteus.graph import Runner

__all__ = ["Ledger"]


class Ledger:
    def __init__(self, work_dir: Path, kind: str) -> None:
        self.folder = work_dir / "ledger" / kind
        self.kind = kind

    def path(self, group_id: str) -> Path:
        return self.folder / f"{group_id}.parquet"

    def earlier(self, graph: Runner, group_id: str) -> list[Path]:
        """The ledger files of the kind's complete groups other than `group_id`."""
        if not self.folder.is_dir():
            return []
        groups = {row["id"]: row["status"]
                  for row in graph.read("ingest/groups_of_kind", kind=self.kind)}
        found = []
        for path in sorted(self.folder.glob("*.parquet")):
            status = groups.get(path.stem)
            if status is None:
                path.unlink(missing_ok=True)
            elif status == "complete" and path.stem != group_id:
                found.append(path)
        return found
