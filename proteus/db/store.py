"""The managed server's data folder as generations, so that a bulk load swaps atomically.

`data` is a symbolic link to one generation (`data-<n>`), and only a complete generation
(one holding the `.complete` mark) is ever linked. A bulk load builds the next generation
beside the current one while the server runs, then, with the server stopped, replaces the
link in one `rename`: a crash at any moment leaves the link on either the old generation or
the complete new one. Leftovers of a load that did not finish are removed by `sweep`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

MARK = ".complete"


def _generations(home: Path) -> list[Path]:
    found = [p for p in home.glob("data-*") if p.is_dir() and p.name[5:].isdigit()]
    return sorted(found, key=lambda p: int(p.name[5:]))


def current(home: Path) -> Path:
    """The generation `data` links to, making `data` a link first when it is a folder (and
    repairing a link lost between the two steps of that change)."""
    link = home / "data"
    if link.is_symlink():
        return link.resolve()
    if link.is_dir():
        (link / MARK).touch()
        first = home / "data-0"
        os.rename(link, first)
        os.symlink(first.name, link)
        return first
    complete = [p for p in _generations(home) if (p / MARK).exists()]
    target = complete[-1] if complete else home / "data-0"
    target.mkdir(parents=True, exist_ok=True)
    (target / MARK).touch()
    os.symlink(target.name, link)
    return target


def staging(home: Path) -> Path:
    """A new, empty generation beside the current one."""
    current(home)
    numbers = [int(p.name[5:]) for p in _generations(home)]
    folder = home / f"data-{max(numbers, default=0) + 1}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def promote(home: Path, generation: Path) -> Path:
    """Link `data` to `generation` in one rename; return the generation it replaced."""
    old = current(home)
    (generation / MARK).touch()
    temporary = home / "data.next"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(generation.name, temporary)
    os.replace(temporary, home / "data")
    return old


def sweep(home: Path) -> list[Path]:
    """Remove every generation but the current one; return what was removed."""
    keep = current(home)
    removed = []
    for generation in _generations(home):
        if generation != keep:
            shutil.rmtree(generation, ignore_errors=True)
            removed.append(generation)
    return removed
