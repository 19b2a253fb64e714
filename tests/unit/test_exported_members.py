from __future__ import annotations

import proteus


def test_public_facade_is_small_and_importable() -> None:
    assert proteus.__all__ == ["Graph", "ProteusError", "Settings", "get_settings"]
    for name in proteus.__all__:
        assert getattr(proteus, name) is not None
