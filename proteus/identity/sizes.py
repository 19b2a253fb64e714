"""Size statistics of a partition's groups (persons, households)."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from proteus.identity.components import Partition


class SizeStats(BaseModel):
    count: int
    p50: float
    p99: float
    max: int
    largest_share: float


def size_stats(groups: Partition) -> SizeStats:
    return sizes_stats(np.array([len(group) for group in groups], dtype=np.int64))


def sizes_stats(sizes: np.ndarray) -> SizeStats:
    """Count, median, p99, max and the largest's share, from the groups' sizes."""
    count = len(sizes)
    sizes = sizes if count else np.zeros(1, dtype=np.int64)
    total = int(sizes.sum())
    return SizeStats(
        count=count,
        p50=float(np.percentile(sizes, 50)),
        p99=float(np.percentile(sizes, 99)),
        max=int(sizes.max()),
        largest_share=round(int(sizes.max()) / total, 6) if total else 0.0,
    )
