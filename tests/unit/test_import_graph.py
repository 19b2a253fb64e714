"""Two wings around the stages. The command line: its command modules never import the
package that registers them, and nothing outside `proteus/cli/` imports it. The tools wing
(`proteus/tools/`: the generator, the truth and the scores against it, the benchmarks): only
the command line and the main job import it, never a stage. No import cycle runs anywhere
in the package, and neither wing defers an import into a function. A stage reaches another
only through its face (the package's `__init__`), and the shared modules import no stage.
Read from the source with `ast`, so a cycle hidden by import order still shows."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import proteus

ROOT = Path(proteus.__file__).parent
CLI = "proteus.cli"
TOOLS = "proteus.tools"
MAIN_JOB = "proteus.pipeline"
STAGES = tuple(f"proteus.{stage}" for stage in (
    "taxonomy", "ingest", "identity", "interests", "segments", "recommend", "audiences"))
# What stands around the stages and may call them: the command line, the tools wing, the
# main job, the settings-to-params edge, the run report and the HTTP API.
EDGES = (CLI, TOOLS, MAIN_JOB, "proteus.edge", "proteus.report", "proteus.api")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(body: Sequence[ast.AST], module_level: bool) -> Iterator[ast.AST]:
    """The statements that run on import (module level: not inside functions, not under
    `if TYPE_CHECKING`), or every statement."""
    for node in body:
        yield node
        if module_level and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if module_level and isinstance(node, ast.If) and _is_type_checking(node):
            yield from _statements(node.orelse, module_level)
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                nested = [child for child in children if isinstance(child, ast.AST)]
                yield from _statements(nested, module_level)


def _imports(name: str, module_level: bool) -> set[str]:
    """The proteus modules (or packages) that `name` imports, by their dotted names."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _statements(ast.parse(path.read_text()).body, module_level):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return {module for module in found if module in MODULES}


AT_IMPORT = {name: _imports(name, module_level=True) for name in MODULES}
# Every import, those inside functions too: a cycle dodged by a deferred import still counts.
GRAPH = {name: _imports(name, module_level=False) for name in MODULES}


def _in(package: str, name: str) -> bool:
    return name == package or name.startswith(package + ".")


def _in_cli(name: str) -> bool:
    return _in(CLI, name)


def _in_tools(name: str) -> bool:
    return _in(TOOLS, name)


def _stage_of(name: str) -> str | None:
    return next((stage for stage in STAGES if _in(stage, name)), None)


def _internals_of_other_stages(graph: dict[str, set[str]]) -> dict[str, list[str]]:
    """Per stage module, the modules of another stage it imports other than that stage's
    face."""
    found = {name: sorted(target for target in graph[name]
                          if _stage_of(target) not in (None, _stage_of(name))
                          and target not in STAGES)
             for name in MODULES if _stage_of(name) is not None}
    return {name: targets for name, targets in found.items() if targets}


def _path_back(start: str, graph: dict[str, set[str]] = GRAPH) -> list[str] | None:
    """An import path from `start` back to itself, if there is one."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph[node]):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_the_graph_is_read_from_the_source() -> None:
    assert CLI in MODULES and "proteus.cli.common" in MODULES
    assert "proteus.cli.ingest" in AT_IMPORT[CLI]
    assert "proteus.cli.common" in AT_IMPORT["proteus.cli.ingest"]
    assert "proteus.ingest" in AT_IMPORT["proteus.cli.ingest"]
    assert AT_IMPORT["proteus.cli.ingest"] <= GRAPH["proteus.cli.ingest"]
    assert {"proteus.tools.generate", "proteus.tools.truth"} <= AT_IMPORT[MAIN_JOB]
    assert "proteus.tools.truth" in AT_IMPORT["proteus.cli.identity"]
    assert "proteus.taxonomy.files" in AT_IMPORT["proteus.tools.generate.run"]


def test_the_cycle_search_finds_a_cycle() -> None:
    """`_path_back` over the graph with one more import, of the package back from a module
    it imports (what a function-level import dodging a cycle would add)."""
    cyclic = {**GRAPH, "proteus.identity.rules": GRAPH["proteus.identity.rules"] | {
        "proteus.identity"}}
    assert _path_back("proteus.identity", cyclic) is not None
    assert _path_back("proteus.identity") is None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_cycle_runs_anywhere(module: str) -> None:
    assert _path_back(module) is None, " -> ".join(_path_back(module) or [])


def test_command_modules_never_import_the_package_that_registers_them() -> None:
    runners = {CLI, f"{CLI}.__main__"}  # `python -m proteus.cli` runs the package's `main`
    offenders = {name for name in MODULES if _in_cli(name) and name not in runners
                 and CLI in GRAPH[name]}
    assert offenders == set()


def test_nothing_outside_the_command_line_imports_it() -> None:
    offenders = {name: sorted(filter(_in_cli, GRAPH[name]))
                 for name in MODULES if not _in_cli(name)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_only_the_edges_import_the_tools_wing() -> None:
    """No stage, shared module, report or API module imports `proteus.tools`: only the
    command line and the main job do (at import or inside a function)."""
    edges = {name for name in MODULES if _in_cli(name) or _in_tools(name)} | {MAIN_JOB}
    offenders = {name: sorted(filter(_in_tools, GRAPH[name]))
                 for name in MODULES if name not in edges}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_wings_defer_no_import_of_their_own() -> None:
    """Inside `proteus/cli/`, `proteus/tools/` and the main job every proteus import is at
    module level (no import placed in a function to dodge a cycle)."""
    deferred = {name: sorted(GRAPH[name] - AT_IMPORT[name]) for name in MODULES
                if _in_cli(name) or _in_tools(name) or name == MAIN_JOB}
    assert {name: found for name, found in deferred.items() if found} == {}


def test_the_stage_check_finds_a_reach_into_another_stage() -> None:
    """The check over the graph with one more import, of ingest's fold from a segments
    module, flags that one; the face of ingest would pass."""
    reaching = {**GRAPH, "proteus.segments.rule_apply": GRAPH["proteus.segments.rule_apply"]
                | {"proteus.ingest.fold", "proteus.ingest"}}
    assert _internals_of_other_stages(reaching) == {
        "proteus.segments.rule_apply": ["proteus.ingest.fold"]}
    assert {"proteus.segments.rule_apply", "proteus.audiences.materialise"} <= MODULES.keys()


def test_a_stage_reaches_another_only_through_its_face() -> None:
    """A module of one stage imports another stage's package (its `__init__`), never a
    module inside it: what two stages share lives in a shared module."""
    assert _internals_of_other_stages(GRAPH) == {}


def test_the_shared_modules_import_no_stage() -> None:
    """Everything that is neither a stage nor an edge (graph, queries, runs, settings,
    conditions, explain, views, events, spark, the interest id scheme, the sensitive
    policy, ...) imports no stage at all, not even its face."""
    shared = [name for name in MODULES if _stage_of(name) is None
              and not any(_in(edge, name) for edge in EDGES)]
    assert {"proteus.conditions.model", "proteus.views", "proteus.interest_ids",
            "proteus.sensitive", "proteus.spark.session"} <= set(shared)
    offenders = {name: sorted(filter(_stage_of, GRAPH[name])) for name in shared}
    assert {name: found for name, found in offenders.items() if found} == {}
