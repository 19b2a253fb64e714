"""The consent truth a benchmark checks against leaves out accounts whose consent rows the
generator corrupted on purpose (no system can know what those rows said)."""

from __future__ import annotations

from pathlib import Path

from proteus.audiences.bench import corrupted_accounts


def test_corrupted_consent_rows_name_their_accounts_by_unique_prefix(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "consent-day01.jsonl").write_text(
        '{"event_id":"k1","ts":"2025-03-03T00:00:01Z","account":"ana@x.org",'
        '"purpose":"advertising","granted":false}\n'
        '{"event_id":"k2","ts":"2025-03-03T00:00:02Z","account":"bo\n'
        '{"event_id":"k3","ts":"2025-03-03T00:00:03Z","account":"c\n'
        '{"event_id":"k4","ts":"2025-03-03T00:00:04Z","purpose":"advertising"}\n',
        encoding="utf-8")
    (tmp_path / "truth" / "malformed.csv").write_text(
        "file,line_no,field,defect\nconsent-day01.jsonl,2,line,truncated\n"
        "consent-day01.jsonl,3,line,truncated\nconsent-day01.jsonl,4,account,missing\n"
        "network-day01.jsonl,1,ip,bad\n", encoding="utf-8")
    accounts = {"ana@x.org", "bob@x.org", "cat@x.org", "cy@x.org"}
    # line 1 is intact; "bo" names bob alone; "c" is ambiguous; line 4 names nobody
    assert corrupted_accounts(tmp_path, accounts) == {"bob@x.org"}
