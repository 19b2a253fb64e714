"""The few places where DuckDB's SQL and Spark SQL differ, each named once.

The contract's checks (`proteus.events.checks`, `proteus.events.sql`) and the fold
(`proteus.ingest.foldsql`) are one SQL text for both engines; where the engines spell a thing
differently, the text calls a method of a `Dialect` instead of writing either spelling. What
is left in the shared text is SQL both engines read alike: `CASE`, `coalesce`, `length`,
`substr`, `split_part`, `min_by`, `CAST(... AS STRING)`, `TRY_CAST`, window functions.
"""

from __future__ import annotations

from dataclasses import dataclass


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Dialect:
    name: str

    def pattern(self, regex: str) -> str:
        """A regular expression as a string literal (backslashes kept as written)."""
        if self.name == "spark":
            if "'" in regex:
                raise ValueError("a pattern for Spark SQL holds no single quote")
            return f"r'{regex}'"
        return _text(regex)

    def full_match(self, text: str, regex: str) -> str:
        """True when the whole of `text` matches `regex`."""
        if self.name == "spark":
            return f"({text} RLIKE {self.pattern('^(?:' + regex + ')$')})"
        return f"regexp_full_match({text}, {self.pattern(regex)})"

    def contains(self, text: str, regex: str) -> str:
        """True when some part of `text` matches `regex`."""
        if self.name == "spark":
            return f"({text} RLIKE {self.pattern(regex)})"
        return f"regexp_matches({text}, {self.pattern(regex)})"

    def param(self, name: str) -> str:
        """A named query parameter."""
        return f":{name}" if self.name == "spark" else f"${name}"

    def epoch_seconds(self, text: str) -> str:
        """UTC epoch seconds (BIGINT) of `YYYY-MM-DDTHH:MM:SS+HH:MM`, NULL when it names no
        day of the calendar (30 February)."""
        if self.name == "spark":
            return (f"unix_timestamp(try_to_timestamp({text}, "
                    "\"yyyy-MM-dd'T'HH:mm:ssXXX\"))")
        return f"CAST(epoch(TRY_CAST({text} AS TIMESTAMPTZ)) AS BIGINT)"

    def sha256_hex(self, data: str) -> str:
        """Hex SHA-256 of a binary value."""
        return f"sha2({data}, 256)" if self.name == "spark" else f"sha256({data})"

    def utf8(self, text: str) -> str:
        """The UTF-8 bytes of a text."""
        return f"encode({text}, 'utf-8')" if self.name == "spark" else f"encode({text})"

    def ordered_list(self, key: str, value: str) -> str:
        """The aggregate list of a group's (`key`, `value`) pairs as structs `{d, v}`, in
        `key` order (keys distinct within a group). The pairs are gathered unordered and
        each group's list sorted on its own (a handful of days): an ordered aggregate sorts
        all its input, 2.5 times slower in DuckDB."""
        if self.name == "spark":
            return f"sort_array(collect_list(struct({key} AS d, {value} AS v)))"
        return f"list_sort(list(struct_pack(d := {key}, v := {value})))"

    def sorted_list(self, value: str) -> str:
        """The aggregate list of a group's values, sorted."""
        if self.name == "spark":
            return f"sort_array(collect_list({value}))"
        return f"list_sort(list({value}))"

    def list_map(self, items: str, body: str) -> str:
        """The list of `body` for each element `x` of the list `items`, in its order."""
        if self.name == "spark":
            return f"transform({items}, x -> {body})"
        return f"list_transform({items}, lambda x: {body})"

    def days_between(self, later: str, earlier: str) -> str:
        """The days from the DATE `earlier` to the DATE `later`, an integer (in Spark SQL
        the difference of two dates is an interval)."""
        if self.name == "spark":
            return f"datediff({later}, {earlier})"
        return f"({later} - {earlier})"

    def hash(self, value: str) -> str:
        """A 64-bit hash of a value (to find candidates cheaply; equal values, equal hash)."""
        return f"xxhash64({value})" if self.name == "spark" else f"hash({value})"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
