"""What a run report holds: one section per stage run, each with figures, charts, tables."""

from __future__ import annotations

from pydantic import BaseModel


class Figure(BaseModel):
    label: str
    value: str


class Chart(BaseModel):
    """A chart drawn to SVG: its title and axis titles are in the SVG, `reading` under it."""

    key: str
    title: str
    reading: str
    svg: str


class Table(BaseModel):
    caption: str
    columns: list[str]
    rows: list[list[str]]


class Section(BaseModel):
    stage: str
    title: str
    run_id: str | None = None
    status: str | None = None
    started: str | None = None
    finished: str | None = None
    figures: list[Figure] = []
    charts: list[Chart] = []
    tables: list[Table] = []
    notes: list[str] = []


class Report(BaseModel):
    generated: str
    code_version: str
    sections: list[Section]


def number(value: float | int | None, digits: int = 4) -> str:
    """A figure as the report prints it: thousands separated, `n/a` for nothing to show."""
    if value is None:
        return "n/a"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1):
        return f"{int(value):,}"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value else "0"


def share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"
