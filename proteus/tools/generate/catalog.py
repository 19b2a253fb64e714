"""The content catalog: one content pool per taste community, each with its own IAB mix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from proteus.taxonomy.files import Taxonomy
from proteus.tools.generate.world import words as _words

KINDS = ("live", "vod", "stream")
# Tier-1 categories whose children are no topics: Sensitive Topics, Genres.
EXCLUDED_TOPIC_ROOTS = frozenset({"v9i3On", "SPSHQ5"})
ADJECTIVES = _words(
    "Silent Golden Hidden Last Broken Wild Bright Northern Midnight Secret Lost Iron Crimson "
    "Quiet Endless Frozen Rising Distant Burning Little"
)
NOUNS = _words(
    "Harbour Empire Garden Signal Frontier River Kitchen Summit Season Station Island Circuit "
    "Legacy Mission Orchard Planet Harvest Voyage Stadium Workshop"
)


@dataclass
class Catalog:
    """Items laid out community by community; `pick` draws items by popularity."""

    content_ids: np.ndarray
    community: np.ndarray
    rows: list[dict[str, Any]]
    flat_cum: np.ndarray
    community_genres: list[list[str]]
    community_topics: list[str]

    def pick(self, rng: np.random.Generator, communities: np.ndarray) -> np.ndarray:
        """One item per entry, from that community's pool, popular items more often."""
        u = communities + rng.random(len(communities)) * 0.999999
        pos = np.searchsorted(self.flat_cum, u, side="right")
        return np.minimum(pos, len(self.flat_cum) - 1).astype(np.int32)


def topics(taxonomy: Taxonomy, genres: dict[str, str]) -> list[str]:
    """Tier-2 topical categories (not genres, not sensitive topics), sorted by id."""
    roots = {c.iab_id for c in taxonomy.categories if not c.parent}
    genre_ids = set(genres.values())
    return sorted(c.iab_id for c in taxonomy.categories
                  if c.parent in roots - EXCLUDED_TOPIC_ROOTS and c.iab_id not in genre_ids)


def build_catalog(
    rng: np.random.Generator, taxonomy: Taxonomy, genre_map: dict[str, str],
    weights: np.ndarray, size: int
) -> Catalog:
    """Draw the catalog from the Content 3.1 categories and the CTV genre mapping; pool sizes
    follow community sizes (square root), at least 20 items."""
    n_comm = len(weights)
    genres = sorted(genre_map)
    genre_ids = sorted(set(genre_map.values()))
    by_id = {gid: [g for g in genres if genre_map[g] == gid] for gid in genre_ids}
    topic_ids = topics(taxonomy, genre_map)
    g_perm = rng.permutation(len(genre_ids))
    t_perm = rng.permutation(len(topic_ids))
    comm_genre_ids = [genre_ids[g_perm[c % len(genre_ids)]] for c in range(n_comm)]
    comm_topics = [topic_ids[t_perm[(c + c // len(topic_ids)) % len(topic_ids)]]
                   for c in range(n_comm)]
    comm_genres = [by_id[gid] for gid in comm_genre_ids]
    pool = np.maximum(20, np.round(size * np.sqrt(weights) / np.sqrt(weights).sum())).astype(int)
    community = np.repeat(np.arange(n_comm), pool)
    n_items = len(community)
    raw = rng.integers(0, 16**10, size=n_items)
    while len(np.unique(raw)) < n_items:
        raw = rng.integers(0, 16**10, size=n_items)
    content_ids = np.array([f"c{v:010x}" for v in raw.tolist()], dtype=object)
    kinds = rng.choice(len(KINDS), size=n_items, p=[0.2, 0.6, 0.2])
    extra_genre = rng.integers(0, len(genres), size=n_items)
    has_extra = rng.random(n_items) < 0.3
    adjective = rng.integers(0, len(ADJECTIVES), size=n_items)
    noun = rng.integers(0, len(NOUNS), size=n_items)
    episode = rng.integers(1, 9, size=n_items)
    rows: list[dict[str, Any]] = []
    for i in range(n_items):
        c = int(community[i])
        item_genres = [comm_genres[c][i % len(comm_genres[c])]]
        iab = [comm_genre_ids[c], comm_topics[c]]
        if has_extra[i]:
            extra = genres[int(extra_genre[i])]
            if extra not in item_genres:
                item_genres.append(extra)
                if genre_map[extra] not in iab:
                    iab.append(genre_map[extra])
        title = f"{ADJECTIVES[adjective[i]]} {NOUNS[noun[i]]}"
        if kinds[i] != 0:
            title += f" {int(episode[i])}"
        rows.append(
            {
                "content_id": content_ids[i],
                "title": title,
                "kind": KINDS[int(kinds[i])],
                "iab_ids": iab,
                "genres": item_genres,
            }
        )
    rows.sort(key=lambda row: row["content_id"])
    popularity = np.concatenate([(np.arange(p) + 1.0) ** -0.9 for p in pool])
    cum = np.concatenate(
        [np.cumsum(w) / w.sum() for w in np.split(popularity, np.cumsum(pool)[:-1])]
    )
    return Catalog(
        content_ids=content_ids,
        community=community,
        rows=rows,
        flat_cum=cum + community,
        community_genres=comm_genres,
        community_topics=comm_topics,
    )
