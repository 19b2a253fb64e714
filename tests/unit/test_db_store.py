"""Generations of the managed store: the `data` link only ever names a complete one."""

from __future__ import annotations

from pathlib import Path

from proteus.db import store


def test_a_data_folder_becomes_the_first_generation(tmp_path: Path) -> None:
    (tmp_path / "data" / "databases").mkdir(parents=True)
    (tmp_path / "data" / "databases" / "store").write_text("old")
    first = store.current(tmp_path)
    assert first == tmp_path / "data-0"
    assert (tmp_path / "data").is_symlink()
    assert (tmp_path / "data" / "databases" / "store").read_text() == "old"


def test_a_fresh_home_starts_with_an_empty_complete_generation(tmp_path: Path) -> None:
    assert store.current(tmp_path) == tmp_path / "data-0"
    assert (tmp_path / "data-0" / store.MARK).exists()


def test_promote_swaps_the_link_and_sweep_removes_the_rest(tmp_path: Path) -> None:
    store.current(tmp_path)
    staged = store.staging(tmp_path)
    (staged / "content").write_text("new")
    abandoned = store.staging(tmp_path)  # a load that was killed before its swap
    assert store.current(tmp_path) == tmp_path / "data-0"
    old = store.promote(tmp_path, staged)
    assert old == tmp_path / "data-0"
    assert (tmp_path / "data" / "content").read_text() == "new"
    assert store.sweep(tmp_path) == [tmp_path / "data-0", abandoned]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", staged.name]


def test_a_link_lost_mid_change_points_back_at_the_newest_complete_generation(
        tmp_path: Path) -> None:
    store.current(tmp_path)
    staged = store.staging(tmp_path)
    store.promote(tmp_path, staged)
    unfinished = store.staging(tmp_path)
    (tmp_path / "data").unlink()
    assert store.current(tmp_path) == staged
    assert unfinished.exists() and not (unfinished / store.MARK).exists()
