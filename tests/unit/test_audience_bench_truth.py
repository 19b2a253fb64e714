"""The consent truth a benchmark checks against leaves out accounts whose consent rows the
generator corrupted on purpose (no system can know what those rows said)."""

from __future__ import annotations

from pathlib import Path

import pytest

from proteus.errors import InputError
from proteus.tools.bench.audiences import corrupted_accounts


def test_corrupted_consent_rows_are_named_by_the_account_they_were_generated_for(
        tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "malformed.csv").write_text(
        "file,line_no,field,defect,subject\n"
        "consent-day01.jsonl,2,line,unparsable,bob@x.org\n"
        "consent-day01.jsonl,4,account,missing,cy@x.org\n"
        "network-day01.jsonl,1,ip,out_of_range,d000000001\n", encoding="utf-8")
    assert corrupted_accounts(tmp_path) == {"bob@x.org", "cy@x.org"}


def test_a_truth_without_subjects_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "malformed.csv").write_text(
        "file,line_no,field,defect\nconsent-day01.jsonl,2,line,unparsable\n", encoding="utf-8")
    with pytest.raises(InputError, match="no subject column"):
        corrupted_accounts(tmp_path)
