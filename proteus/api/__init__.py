"""The HTTP API (`create_app`), its `serve` command and its benchmark."""

from proteus.api.app import create_app

__all__ = ["create_app"]
