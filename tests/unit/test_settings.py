from __future__ import annotations

import pytest
from pydantic import ValidationError

from proteus.settings import DEV_PASSWORD, Settings


def test_placeholder_secrets_are_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROTEUS_ENV", "production")
    with pytest.raises(ValidationError, match="PROTEUS_NEO4J_PASSWORD is a placeholder"):
        Settings()


def test_real_secrets_are_accepted_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROTEUS_ENV", "production")
    monkeypatch.setenv("PROTEUS_NEO4J_PASSWORD", "a-long-real-password")
    monkeypatch.setenv("PROTEUS_PSEUDONYM_KEY", "a-long-real-pseudonym-key")
    assert Settings().env == "production"


def test_development_defaults_and_managed_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROTEUS_NEO4J_URI", raising=False)
    monkeypatch.delenv("PROTEUS_NEO4J_PASSWORD", raising=False)
    monkeypatch.delenv("PROTEUS_BOLT_PORT", raising=False)
    settings = Settings()
    assert settings.managed
    assert settings.bolt_uri == "bolt://127.0.0.1:7687"
    assert settings.neo4j_password.get_secret_value() == DEV_PASSWORD


def test_external_uri_means_nothing_is_managed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROTEUS_NEO4J_URI", "neo4j://db.example:7687")
    settings = Settings()
    assert not settings.managed
    assert settings.bolt_uri == "neo4j://db.example:7687"


def test_settings_are_not_built_at_import() -> None:
    import proteus.settings as module

    assert not any(isinstance(v, Settings) for v in vars(module).values())
