"""One settings class for the whole service, read lazily from `PROTEUS_*` variables."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_PASSWORD = "proteus-dev-password"
DEV_PSEUDONYM_KEY = "proteus-dev-pseudonym-key-change-me"
_PLACEHOLDERS = {DEV_PASSWORD, DEV_PSEUDONYM_KEY, "changeme", "password", "neo4j"}


class Settings(BaseSettings):
    """Everything Proteus reads from its environment.

    `neo4j_uri` unset means "the local server that `proteus db up` manages";
    set it to use an external Neo4j and nothing is started.
    """

    model_config = SettingsConfigDict(env_prefix="PROTEUS_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    home: Path = Path(".proteus")

    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr(DEV_PASSWORD)
    neo4j_database: str = "neo4j"
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = "1g"
    pagecache: str = "512m"
    gds: bool = True
    start_timeout_s: float = 180.0

    pseudonym_key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)

    # the engine that checks and folds events and finds identity's components
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str = "local[2]"
    spark_conf: dict[str, str] = Field(default_factory=dict)  # JSON in PROTEUS_SPARK_CONF

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_workers: int = Field(default=2, ge=1, le=64)
    api_key_cache_s: float = Field(default=5.0, ge=0)
    api_version_poll_s: float = Field(default=1.0, ge=1.0, le=60.0)
    api_cache_mb: int = Field(default=128, ge=1, le=65_536)
    api_cache_subjects: int = Field(default=50_000, ge=1, le=10_000_000)
    api_max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    # how long a request waits on Neo4j (connecting, retrying, a recommendation read) before
    # it answers 503 `graph_unavailable`
    api_graph_deadline_s: float = Field(default=2.0, gt=0, le=60.0)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env == "production":
            for name in ("neo4j_password", "pseudonym_key"):
                value = getattr(self, name).get_secret_value()
                if value in _PLACEHOLDERS or len(value) < 12:
                    raise ValueError(
                        f"PROTEUS_{name.upper()} is a placeholder or shorter than 12 characters;"
                        " set a real secret outside development"
                    )
        return self

    @property
    def managed(self) -> bool:
        """True when Proteus starts and stops the Neo4j server itself."""
        return self.neo4j_uri is None

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    @property
    def browser_url(self) -> str:
        if self.managed:
            return f"http://127.0.0.1:{self.http_port}/browser/"
        return "(external server: see its own Browser)"


@cache
def get_settings() -> Settings:
    return Settings()
