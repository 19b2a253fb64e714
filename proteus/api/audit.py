"""The API's audit trail: `(:ApiKey)-[:PERFORMED]->(:AuditEvent {action, target, outcome})`.

Audience calls and key management are audited with their outcome, `ok` or the error code,
refusals included; a refused role (403) is audited on every route. An action reads
`<tag>.<route name>` (`audiences.approve`, `keys.revoke`, `segments.segments`); a target is
what the call is about (an audience reference, a key id), or empty when the request did not
get far enough to say.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from proteus import keys
from proteus.errors import ProteusError
from proteus.graph import Runner
from proteus.inputs import printable
from proteus.keys import Principal

__all__ = ["Outcome", "action_of", "audited", "refusal", "target_of"]


def action_of(route: Any) -> str:
    tags = getattr(route, "tags", None) or []
    name = str(getattr(route, "name", None) or "call")
    return f"{tags[0]}.{name}" if tags else name


def target_of(request: Request) -> str:
    """The request's path parameters, as the route would name its target."""
    return "/".join(printable(str(v))[:100] for v in request.path_params.values())


@dataclass
class Outcome:
    """What an audited block may still say about itself once it knows (a created id)."""

    target: str = ""
    detail: str = ""


@contextmanager
def audited(graph: Runner, who: Principal, action: str, target: str = "") -> Iterator[Outcome]:
    """Audit what the block does: `ok`, or the code of the error it raises."""
    outcome = Outcome(target)
    try:
        yield outcome
    except ProteusError as exc:
        keys.audit(graph, who, action, outcome.target, exc.code, str(exc))
        raise
    except Exception:
        keys.audit(graph, who, action, outcome.target, "internal_error")
        raise
    keys.audit(graph, who, action, outcome.target, "ok", outcome.detail)


async def refusal(request: Request, who: Principal, code: str, detail: str) -> None:
    """Audit a request refused before its route ran (a role too low, invalid input)."""
    await run_in_threadpool(keys.audit, request.app.state.graph, who,
                            action_of(request.scope.get("route")), target_of(request), code,
                            detail)
