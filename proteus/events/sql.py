"""The event contract as SQL: rows of any format in one normalised shape, then checked.

The columnar ingest reads files into a relation `normalised` with, per row: `ord` (its place
among the rows of the files read together), `file`, `line`, `raw` (the row as read, for the
rejects), `problem_field` / `problem_reason` (a row that is not an object: unreadable,
unparsable, repeated keys), `extra` (the first field the contract does not know whose value
is not empty), and for each contract field `<field>_t` (the value's type, NULL when absent)
and `<field>` (its text). `check(kind)` turns that into accepted rows with typed values and
rejected rows with the field and reason — the same decision, field and reason as the
pydantic models, since both come from the same `Check` objects (`proteus.events.checks`).

The SQL is generated from the models here, not written by hand per field, so the two
engines cannot drift. `normalise_jsonl` is DuckDB's (both engines run it in DuckDB: the Spark
engine inside each task, `proteus.spark.read`); `check` is one text for DuckDB and Spark SQL,
differing only where `proteus.events.dialect` names a difference.
"""

from __future__ import annotations

from proteus.events.checks import Instant
from proteus.events.dialect import DUCKDB, Dialect
from proteus.events.models import checks, field_names

# Text reasons shared with the Python reader (`proteus.events.read`).
NOT_UTF8 = "not valid UTF-8"
UNPARSABLE = "unparsable line"
NOT_OBJECT = "not an object: "
REPEATED = "repeated field"
UNKNOWN = "unknown field (unknown fields are rejected)"

_JSON_TYPE = ("CASE {t} WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' "
              "WHEN 'ARRAY' THEN 'array' WHEN 'OBJECT' THEN 'object' WHEN 'NULL' THEN 'null' "
              "ELSE 'number' END")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(names: list[str]) -> str:
    return "[" + ", ".join(_quote(n) for n in names) + "]"


def _strict_json(txt: str) -> str:
    """Rows DuckDB's JSON parser takes that strict JSON (and Python's json) refuses:
    trailing commas and spellings of NaN and Infinity other than `NaN`, `Infinity`,
    `-Infinity`. Checked on the text with its strings blanked, only where a cheap scan
    finds a candidate."""
    blank = f"regexp_replace({txt}, '\"(\\\\.|[^\"\\\\])*\"', '\"\"', 'g')"
    allowed = f"regexp_replace({blank}, '-?Infinity|NaN', '0', 'g')"
    return (f"(regexp_matches({txt}, ',\\s*[\\]}}]|[Nn][Aa][Nn]|[Ii][Nn][Ff]') AND "
            f"regexp_matches({allowed}, ',\\s*[\\]}}]|[Nn][Aa][Nn]|[Ii][Nn][Ff]'))")


def normalise_jsonl(kind: str) -> str:
    """`normalised` rows from a relation `lines(ord, file, line, blank, bytes BLOB)` of JSON
    Lines, each line with its line end (which `raw` keeps: the rejects writer drops it);
    blank lines are left out. A line that is not UTF-8 has its bytes escaped in `raw`."""
    fields = field_names(kind)
    paths = "[" + ", ".join(f"'$.{f}'" for f in fields) + "]"
    path = ("'$.\"' || replace(replace(k, '\\', '\\\\'), '\"', '\\\"') || '\"'")
    value = f"json_extract(txt, {path})"
    columns = []
    for k, f in enumerate(fields, start=1):
        t, v = f"types[{k}]", f"vals[{k}]"
        columns.append(
            f"CASE WHEN {t} IS NULL OR {t} = 'NULL' THEN NULL "
            f"WHEN {t} = 'VARCHAR' THEN CASE WHEN {v} = '' THEN NULL ELSE 'string' END "
            f"WHEN {t} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CASE WHEN "
            f"regexp_full_match({v}, '-?[0-9]+') THEN 'integer' ELSE 'number' END "
            f"ELSE {_JSON_TYPE.format(t=t)} END AS {f}_t, {v} AS {f}")
    return f"""
WITH decoded AS (
  SELECT ord, file, line, try(decode(bytes)) AS txt,
         CASE WHEN txt IS NULL THEN bytes::VARCHAR END AS undecoded
  FROM lines WHERE NOT blank
), parsed AS (
  SELECT *, CASE
      WHEN txt IS NULL THEN {_quote(NOT_UTF8)}
      WHEN NOT json_valid(txt) OR {_strict_json('txt')} THEN {_quote(UNPARSABLE)}
      WHEN json_type(txt) <> 'OBJECT'
        THEN {_quote(NOT_OBJECT)} || {_JSON_TYPE.format(t='json_type(txt)')}
    END AS problem
  FROM decoded
), objects AS (
  SELECT *, CASE WHEN problem IS NULL THEN json_keys(txt) END AS keys,
         CASE WHEN problem IS NULL THEN json_type(txt, {paths}) END AS types,
         CASE WHEN problem IS NULL THEN json_extract_string(txt, {paths}) END AS vals
  FROM parsed
), extracted AS (
  SELECT ord, file, line, txt, undecoded, problem, keys, types, vals,
    len(keys) > list_count(types) AS odd_keys
  FROM objects
), extras AS (
  SELECT *,
    CASE WHEN odd_keys
         THEN list_filter(keys, lambda k, i: list_position(keys, k) < i)[1] END AS repeated,
    CASE WHEN odd_keys THEN
      list_filter(keys, lambda k: NOT list_contains({_list(fields)}, k)
        AND coalesce(json_type({value}), 'NULL') <> 'NULL'
        AND {value}::VARCHAR <> '""')[1]
    END AS extra
  FROM extracted
)
SELECT ord, file, line,
  coalesce(txt, undecoded) AS raw,
  CASE WHEN problem IS NOT NULL THEN 'line' ELSE repeated END AS problem_field,
  CASE WHEN problem IS NOT NULL THEN problem
       WHEN repeated IS NOT NULL THEN {_quote(REPEATED)} END AS problem_reason,
  extra,
  {(',' + chr(10) + '  ').join(columns)}
FROM extras"""


def check(kind: str, source: str = "normalised", dialect: Dialect = DUCKDB) -> str:
    """Accepted and rejected rows of `source` (a relation of the normalised shape, or the
    SQL of one, e.g. `normalise_jsonl(kind)`): ord, file, line, field and reason (NULL for
    an accepted row), raw (for a rejected row), then each field's typed value, and `day`
    (the UTC day of `ts`, when the record type has one). Parameters: $earliest, $latest
    (epoch seconds) and $too_early, $too_late (their reasons), spelled as `dialect` names
    parameters."""
    rules = checks(kind)
    timed = [f for f, (c, _) in rules.items() if isinstance(c, Instant)]
    relation = source if source.isidentifier() else f"({source})"
    epochs = "".join(f", {Instant.sql_epoch(f, dialect)} AS {f}_epoch" for f in timed)
    errors = []
    for f, (rule, required) in rules.items():
        missing = _quote("Field required") if required else "NULL"
        errors.append(f"CASE WHEN {f}_t IS NULL THEN {missing} ELSE {rule.sql(f, dialect)} END")
    field_case = " ".join(f"WHEN e_{f} IS NOT NULL THEN {_quote(f)}" for f in rules)
    reasons = ", ".join(f"e_{f}" for f in rules)
    values = ", ".join(f"CASE WHEN {f}_t IS NOT NULL THEN {rule.sql_value(f, dialect)} END AS {f}"
                       for f, (rule, _) in rules.items())
    day = ", DATE '1970-01-01' + CAST(floor(ts_epoch / 86400) AS INTEGER) AS day" \
        if "ts" in timed else ""
    return f"""
WITH epochs AS (SELECT *{epochs} FROM {relation}),
errors AS (SELECT *, {', '.join(f'{e} AS e_{f}' for e, f in zip(errors, rules, strict=True))}
  FROM epochs),
decided AS (
  SELECT *,
    CASE WHEN problem_field IS NOT NULL THEN problem_field {field_case}
         WHEN extra IS NOT NULL THEN extra END AS field,
    CASE WHEN problem_field IS NOT NULL THEN problem_reason
         ELSE coalesce({reasons}, CASE WHEN extra IS NOT NULL THEN {_quote(UNKNOWN)} END)
    END AS reason
  FROM errors)
SELECT ord, file, line, field, reason, CASE WHEN field IS NOT NULL THEN raw END AS raw,
  {values}{day}
FROM decided"""
