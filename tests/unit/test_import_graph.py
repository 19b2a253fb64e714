"""The command line is a wing of its own: no import cycle runs through `proteus.cli`, its
command modules never import the package that registers them, and nothing outside
`proteus/cli/` imports it. Read from the source with `ast`, so a cycle hidden by import order
still shows."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import proteus

ROOT = Path(proteus.__file__).parent
CLI = "proteus.cli"


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


def _in_cli(name: str) -> bool:
    return name == CLI or name.startswith(CLI + ".")


def _path_back(start: str) -> list[str] | None:
    """An import path from `start` back to itself, if there is one."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(GRAPH[node]):
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


@pytest.mark.parametrize("module", sorted(name for name in MODULES if _in_cli(name)))
def test_no_import_cycle_runs_through_the_command_line(module: str) -> None:
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


def test_the_command_line_defers_no_import_of_its_own() -> None:
    """Inside `proteus/cli/` every proteus import is at module level (no import placed in a
    function to dodge a cycle)."""
    deferred = {name: sorted(GRAPH[name] - AT_IMPORT[name])
                for name in MODULES if _in_cli(name)}
    assert {name: found for name, found in deferred.items() if found} == {}
