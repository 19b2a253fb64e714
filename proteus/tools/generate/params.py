"""Parameters and report of a generation run."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from proteus.tools.generate.profiles import ProfileName


class GenerateParams(BaseModel):
    """Knobs of the traffic generator; every knob has a default."""

    model_config = ConfigDict(extra="forbid")

    out: Path = Path("data/generated")
    profile: ProfileName = Field(
        default="default", description="how clean the identifiers are: default, noisy, weak")
    devices: int = Field(default=20000, ge=10)
    days: int = Field(default=7, ge=1, le=366)
    seed: int = Field(default=42, ge=0)
    format: Literal["jsonl", "csv", "parquet"] = "jsonl"
    malformed_rate: float = Field(default=0.001, ge=0.0, le=0.5)
    start: date = date(2025, 3, 3)
    iab_dir: Path | None = None
    network_rate: float = Field(
        default=5.0, gt=0.0, description="network events per device per day"
    )
    viewing_rate: float = Field(
        default=2.2, ge=0.0, description="viewing events per device per day"
    )
    communities: int = Field(default=24, ge=2)
    catalog_size: int = Field(default=3000, ge=50)
    off_community: float = Field(default=0.31, ge=0.0, le=0.9)
    junk_rate: float = Field(default=0.02, ge=0.0, le=0.5)
    bot_rate: float = Field(default=0.005, ge=0.0, le=0.2)
    family_login_rate: float = Field(default=0.4, ge=0.0, le=1.0)
    anonymous_rate: float = Field(default=0.25, ge=0.0, le=1.0)
    consent_withdraw_rate: float = Field(default=0.12, ge=0.0, le=1.0)
    cgnat_devices_per_ip: int = Field(default=250, ge=1)
    gzip_level: int = Field(default=1, ge=1, le=9)
    chunk_events: int = Field(default=100_000, ge=1000)
    quiet: bool = False


class FileCount(BaseModel):
    """One written data file."""

    path: str
    kind: str
    rows: int
    malformed: int


class GenerateReport(BaseModel):
    """What a run wrote: params, counts per file and type, timing, paths."""

    params: GenerateParams
    iab_source: str
    out: str
    files: list[FileCount]
    rows_by_type: dict[str, int]
    events: int
    malformed: int
    devices: int
    persons: int
    households: int
    truth_files: list[str]
    seconds: float = 0.0
    events_per_s: float = 0.0
