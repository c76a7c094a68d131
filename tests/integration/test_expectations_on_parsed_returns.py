"""The suites on what the real parser produces (transforms.sheets.parse_sheet), merged
with the parser's own issues: each problem is reported once, by whoever knows best."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from expectations import decide, merge_issues, validate_sheet
from foundation.reference import load_reference
from tests.factories import RAW_MALE_ID, raw_frame, raw_placement, with_check_digit
from transforms.sheets import parse_sheet

pytestmark = pytest.mark.integration

REF = load_reference()


MALE_ID = RAW_MALE_ID
OTHER_MALE_ID = with_check_digit("32070619880808031")
BAD_CHECK_ID = MALE_ID[:-1] + ("1" if MALE_ID[-1] != "1" else "2")
RETURN_ID = "ret-1"


def placement(**overrides: str | None) -> dict:
    return raw_placement(**({"name": "测试戊"} | overrides))


@pytest.fixture(scope="module")
def gx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gx_parsed")


def test_parsed_placements_each_problem_reported_once(gx_dir: Path) -> None:
    rows = [
        placement(),  # 5 clean
        placement(name=None, id_number=OTHER_MALE_ID),  # 6 blank name
        placement(id_number="320706000000000000"),  # 7 ID typed as a number in Excel
        placement(id_number=BAD_CHECK_ID),  # 8
        placement(gender="女", id_number=OTHER_MALE_ID),  # 9 gender vs ID; same person as row 6
        placement(monthly_income="1500多", id_number=with_check_digit("32070619770707051")),  # 10
        placement(
            categories="残疾人", id_number=with_check_digit("32070619660606061")
        ),  # 11 no certificate
        placement(
            placed_on="2024/6/3", id_number=with_check_digit("32070619550505071")
        ),  # 12 after period
        placement(monthly_income="88000", id_number=with_check_digit("32070619440404081")),  # 13
    ]
    was_number = [False] * len(rows)
    was_number[2] = True
    raw = raw_frame("placements", rows, return_id=RETURN_ID, id_number_was_number=was_number)
    typed, parsed = parse_sheet("placements", raw, "2024-05", REF)
    checked = validate_sheet("placements", typed, gx_dir, "parsed")
    merged = merge_issues(parsed, checked)

    found = sorted(merged.select("row_number", "reason_code").iter_rows())
    assert found == [
        (6, "REQUIRED_MISSING"),
        (7, "ID_TYPED_AS_NUMBER"),
        (8, "ID_BAD_CHECKSUM"),
        (9, "GENDER_MISMATCH"),
        (9, "PERSON_DUPLICATE"),
        (10, "INCOME_INVALID"),
        (11, "CERT_MISSING"),
        (12, "PLACED_AFTER_PERIOD"),
        (13, "INCOME_OUT_OF_RANGE"),
    ]
    assert set(merged["reason_code"]) <= set(REF.reasons)

    decision = decide(
        merged, typed.with_columns(pl.lit("placements").alias("sheet")), holdback_share=0.9
    )
    assert decision.loaded["row_number"].to_list() == [5]
    assert decision.returns.select("rows_received", "rows_quarantined", "held_back").row(0) == (
        9,
        8,
        False,
    )


def test_parsed_households_cleared_without_date(gx_dir: Path) -> None:
    head = with_check_digit("32070619700101022")
    base = {
        "household_id": "XH-001",
        "head_name": "测试己",
        "head_id_number": head,
        "members": "3",
        "labour": "2",
        "identified_on": "2024-05-02",
        "status": "已清零",
        "cleared_on": "2024-05-20",
        "cleared_channel": "灵活就业",
    }
    rows = [
        base,
        base | {"cleared_on": None},
        base | {"status": "未清零", "cleared_on": None, "cleared_channel": None},
    ]
    typed, parsed = parse_sheet(
        "households", raw_frame("households", rows, return_id=RETURN_ID), "2024-05", REF
    )
    merged = merge_issues(parsed, validate_sheet("households", typed, gx_dir, "parsed"))
    assert sorted(merged.select("row_number", "column_name", "reason_code").iter_rows()) == [
        (6, "清零日期", "HOUSEHOLD_CLEARED_NO_DATE")
    ]
