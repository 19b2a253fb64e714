"""The fold as one SQL text for both engines: the steps from checked rows to folded tables.

Each `Step` makes one relation from the ones before it; the embedded engine (`Fold`, DuckDB)
makes each a table (or a view), the Spark engine (`proteus.ingest.sparkfold`) a temporary view.
The text is the same for both; where DuckDB and Spark SQL spell a thing differently it
calls `proteus.events.dialect`. Relations read: `checked` (the contract's output,
`proteus.events.sql.check`) and, for the duplicates against earlier runs, `ledger`.

A value "first" in an order is the first that is present (`first_present`): both engines'
`min_by` then agree whatever each does with a NULL value.
"""

from __future__ import annotations

from dataclasses import dataclass

from proteus.events.dialect import Dialect
from proteus.ingest.aggregate import IDENTIFIER_FIELDS, ip_class_sql


def pseudonym_sql(d: Dialect, kind: str, raw: str) -> str:
    """`proteus.pseudonym.pseudonymise` in SQL: HMAC-SHA256 over `kind:value` with the pads
    $ipad and $opad (`hmac_pads`), 128 bits, hex."""
    message = d.utf8(f"{kind} || ':' || {raw}")
    inner = d.sha256_hex(f"{d.param('ipad')} || {message}")
    outer = d.param("opad")
    return f"substr({d.sha256_hex(f'{outer} || unhex({inner})')}, 1, 32)"


def first_present(value: str, order: str) -> str:
    return f"min_by({value}, CASE WHEN {value} IS NOT NULL THEN {order} END)"


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    view: bool = False  # cheap to recompute: a view, not a stored table
    drop: tuple[str, ...] = ()  # relations no later step reads


def duplicates(d: Dialect, earlier: bool) -> list[Step]:
    """`duplicates(ord, file)`: accepted rows whose event id an earlier row of the group has
    (candidates found by hash first, so the window sorts only them), and, with `earlier`,
    rows whose id the relation `ledger(event_id, day)` holds within $horizon days."""
    steps = [Step("duplicates", f"""
SELECT ord, file FROM (
  SELECT ord, file, row_number() OVER (PARTITION BY event_id ORDER BY ord) AS k
  FROM checked
  WHERE field IS NULL AND {d.hash('event_id')} IN (
    SELECT h FROM (SELECT {d.hash('event_id')} AS h FROM checked WHERE field IS NULL) c
    GROUP BY h HAVING count(*) > 1)) r
WHERE k > 1""")]
    if earlier:
        steps.append(Step("duplicates_all", f"""
SELECT ord, file FROM duplicates
UNION ALL
SELECT c.ord, c.file FROM checked c
WHERE c.field IS NULL
  AND c.ord NOT IN (SELECT ord FROM duplicates)
  AND EXISTS (SELECT 1 FROM ledger l
              WHERE l.event_id = c.event_id
                AND abs({d.days_between('l.day', 'c.day')}) <= {d.param('horizon')})"""))
    return steps


def ok(columns: list[str], chunk_size: int, duplicates_name: str = "duplicates") -> Step:
    """The accepted rows that are not duplicates, with their chunk."""
    kept = ", ".join(["ord", "file", "line", *columns, "day"])
    return Step("ok", f"""
SELECT {kept}, CAST(floor(ord / {int(chunk_size)}) AS BIGINT) + 1 AS chunk
FROM checked WHERE field IS NULL AND ord NOT IN (SELECT ord FROM {duplicates_name})""",
                view=True)


def _day_lists(d: Dialect, values: str) -> str:
    """`days` and `values` from a group's `per_day` list (`Dialect.ordered_list`): the days
    as text and their values, both in day order."""
    return (f"{d.list_map('per_day', 'CAST(x.d AS STRING)')} AS days, "
            f"{d.list_map('per_day', 'x.v')} AS {values}")


def network(d: Dialect) -> list[Step]:
    fields = ", ".join(IDENTIFIER_FIELDS)  # column names from a fixed list
    return [
        Step("f_devices", f"""
SELECT chunk, device_id AS id, min(ts) AS first, max(ts) AS last,
       {first_present('device_type', 'ord')} AS type, CAST(NULL AS STRING) AS viewed
FROM ok GROUP BY chunk, device_id"""),
        # one pass over the rows: every identifier a row carries, per device and day
        Step("daily", f"""
SELECT chunk, device_id AS device, kind, raw, day, min(ts) AS first, max(ts) AS last,
       count(*) AS n, min(ord) AS first_ord, {first_present('network', 'ord')} AS network
FROM (SELECT chunk, ord, device_id, ts, day, network, {fields} FROM ok) AS o
     UNPIVOT (raw FOR kind IN ({fields}))
GROUP BY chunk, device_id, kind, raw, day"""),
        Step("seen", f"""
SELECT chunk, kind, raw, min(first) AS first, max(last) AS last,
       {first_present('network', 'first_ord')} AS network
FROM daily GROUP BY chunk, kind, raw"""),
        Step("sighted", f"""
SELECT chunk, device, kind, raw, first, last, count, {_day_lists(d, 'day_counts')}
FROM (SELECT chunk, device, kind, raw, min(first) AS first, max(last) AS last,
             CAST(sum(n) AS BIGINT) AS count, {d.ordered_list('day', 'n')} AS per_day
      FROM daily GROUP BY chunk, device, kind, raw) AS g""", drop=("daily",)),
        Step("pseudonyms", f"""
SELECT kind, raw, {pseudonym_sql(d, 'kind', 'raw')} AS value
FROM (SELECT DISTINCT kind, raw FROM seen) AS s"""),
        Step("f_identifiers", f"""
SELECT s.chunk, s.kind, p.value, s.first, s.last,
       CASE WHEN s.kind = 'ip' THEN s.network END AS network,
       CASE WHEN s.kind = 'ip' THEN {ip_class_sql('s.raw')} END AS ip_class
FROM seen s JOIN pseudonyms p ON p.kind = s.kind AND p.raw = s.raw"""),
        Step("f_sightings", """
SELECT s.chunk, s.device, s.kind, p.value, s.first, s.last, s.count, s.days, s.day_counts
FROM sighted s JOIN pseudonyms p ON p.kind = s.kind AND p.raw = s.raw""",
             drop=("seen", "sighted")),
        # what the person summary needs of each device: its type, the logins seen with it
        Step("f_device_list", f"""
SELECT f.chunk, f.id AS device, f.type, l.logins
FROM f_devices f LEFT JOIN (
  SELECT chunk, device, {d.sorted_list('value')} AS logins
  FROM f_sightings WHERE kind = 'login' GROUP BY chunk, device) l
  ON l.chunk = f.chunk AND l.device = f.id"""),
    ]


def viewing(d: Dialect) -> list[Step]:
    return [
        Step("f_devices", """
SELECT chunk, device_id AS id, min(ts) AS first, max(ts) AS last, CAST(NULL AS STRING) AS type,
       CAST(max(day) AS STRING) AS viewed
FROM ok GROUP BY chunk, device_id"""),
        Step("f_device_list", "SELECT chunk, id AS device, viewed FROM f_devices"),
        Step("f_contents", "SELECT DISTINCT chunk, content_id AS id FROM ok"),
        Step("f_views", f"""
SELECT chunk, device, content, first, last, count, seconds, {_day_lists(d, 'day_seconds')}
FROM (SELECT chunk, device_id AS device, content_id AS content, min(first) AS first,
             max(last) AS last, CAST(sum(n) AS BIGINT) AS count,
             CAST(sum(s) AS BIGINT) AS seconds, {d.ordered_list('day', 's')} AS per_day
      FROM (SELECT chunk, device_id, content_id, day, min(ts) AS first, max(ts) AS last,
                   count(*) AS n, CAST(sum(seconds) AS BIGINT) AS s
            FROM ok GROUP BY chunk, device_id, content_id, day) AS v
      GROUP BY chunk, device_id, content_id) AS g"""),
    ]


def consent(d: Dialect) -> list[Step]:
    return [
        Step("latest", """
SELECT chunk, account, purpose, granted, ts FROM (
  SELECT chunk, account, purpose, granted, ts,
         row_number() OVER (PARTITION BY chunk, account, purpose ORDER BY ts DESC, ord) AS k
  FROM ok) AS r
WHERE k = 1"""),
        Step("accounts", "SELECT DISTINCT 'login' AS kind, account AS raw FROM latest"),
        Step("pseudonyms", f"""
SELECT kind, raw, {pseudonym_sql(d, 'kind', 'raw')} AS value FROM accounts"""),
        Step("f_consent", """
SELECT l.chunk, p.value AS account, l.purpose, l.granted, l.ts AS at
FROM latest l JOIN pseudonyms p ON p.kind = 'login' AND p.raw = l.account"""),
        Step("f_logins", "SELECT DISTINCT chunk, account AS login FROM f_consent"),
    ]


def fold_steps(kind: str, d: Dialect) -> list[Step]:
    """The steps from `ok` to the folded tables of a record type."""
    return {"network": network, "viewing": viewing, "consent": consent}[kind](d)
