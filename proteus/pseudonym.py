"""Keyed pseudonyms for identifiers that could identify a person.

`pseudonymise(kind, value, key)` is HMAC-SHA256 over `kind:value`, cut to 128 bits and
hex-encoded: stable for the same key, useless without it, and the same raw value under two
kinds gives two pseudonyms.
"""

from __future__ import annotations

import hmac

from proteus.errors import ConfigError
from proteus.settings import DEV_PSEUDONYM_KEY, Settings

PSEUDONYMISED_KINDS = ("ip", "cookie", "app_id", "login", "msisdn")


def pseudonymise(kind: str, value: str, key: bytes) -> str:
    return hmac.digest(key, f"{kind}:{value}".encode(), "sha256")[:16].hex()


def key_from(settings: Settings) -> bytes:
    """The HMAC key; the development placeholder is refused outside development and tests."""
    secret = settings.pseudonym_key.get_secret_value()
    if secret == DEV_PSEUDONYM_KEY and settings.env == "production":
        raise ConfigError("PROTEUS_PSEUDONYM_KEY is the development placeholder; set a real key")
    if len(secret) < 16:
        raise ConfigError("PROTEUS_PSEUDONYM_KEY must be at least 16 characters")
    return secret.encode()
