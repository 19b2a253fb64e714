"""The person summary: the one projection of consent, device types, recency and household
that conditions read, written by `identity/person_summary` only (identity for the persons
it publishes, ingest for the persons of every device a chunk touches).

A reader passes `SUMMARY_VERSION` to its query and refuses an answer that counts persons
whose summary is missing or of another version, rather than reading around it.
"""

from __future__ import annotations

from proteus.errors import Conflict

SUMMARY_VERSION = 1  # equals the `summary_version` identity/person_summary writes
WRITER = "identity/person_summary"


def require_current(stale: int) -> None:
    """Refuse an answer computed over persons without a current summary."""
    if stale:
        raise Conflict(f"{stale:,} person(s) have no summary of version {SUMMARY_VERSION} "
                       "(written by identity and ingest): run identity again")
