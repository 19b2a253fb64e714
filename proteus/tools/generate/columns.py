"""Column-wise description of generated event files and of their malformed rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Column:
    """One output column: values are `table[codes]` (kind str), or derived from codes.

    kind: "str" (table lookup, None = absent), "seq" (event id from a running number),
    "ts" (seconds of the file's day), "int" (codes are the values), "bool" (codes 0/1).
    reuse: the table object is used again in later files, so its encoding is cached.
    """

    name: str
    codes: np.ndarray
    kind: str = "str"
    table: np.ndarray | None = None
    safe: bool = True
    prefix: str = ""
    reuse: bool = False


@dataclass
class Malformed:
    """Rows of one file to corrupt: positions (0-based), and a corruption callback."""

    positions: np.ndarray
    corrupt: Callable[[int, dict[str, Any]], dict[str, Any] | str]
    extra_columns: Sequence[str] = ()
    parquet_patch: Callable[[int, dict[str, np.ndarray]], None] | None = None
