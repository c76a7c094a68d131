"""Cover checks on whole workbooks (returns.md §4 item 11): the cover is authoritative."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_ingest_xlsx import (
    PLACEMENT_HEADER,
    codes,
    cover_rows,
    placement_row,
    read,
    standard_return,
)


def test_return_for_a_station_not_in_the_registry_is_rejected(tmp_path: Path):
    path = standard_return(
        tmp_path / "ZZ_2024-05.xlsx", [PLACEMENT_HEADER], cover_rows(code="ZZ", name="某某社区")
    )
    parsed = read(path)
    assert codes(parsed) == ["STATION_UNKNOWN"] and parsed.rejected
    assert parsed.station_code is None and parsed.period == "2024-05"


def test_cover_naming_another_station_than_the_file_name_is_rejected(tmp_path: Path):
    rows = [PLACEMENT_HEADER, placement_row(1)]
    parsed = read(standard_return(tmp_path / "WH_2024-05.xlsx", rows))  # cover says XH
    assert codes(parsed) == ["STATION_MISMATCH"] and parsed.rejected
    assert parsed.station_code == "XH"
    # The sheets are still read, so the feedback to the station can list them.
    assert parsed.sheets["placements"].height == 1


def test_cover_period_disagreeing_with_the_file_name_is_rejected(tmp_path: Path):
    parsed = read(standard_return(tmp_path / "XH_2024-04.xlsx", [PLACEMENT_HEADER]))
    assert codes(parsed) == ["PERIOD_MISMATCH"] and parsed.rejected


def test_unreadable_period_is_rejected(tmp_path: Path):
    parsed = read(
        standard_return(tmp_path / "XH_2024-05.xlsx", [PLACEMENT_HEADER], cover_rows(period="五月"))
    )
    assert codes(parsed) == ["PERIOD_INVALID"] and parsed.period is None


def test_file_name_off_convention_lets_the_cover_decide(tmp_path: Path):
    parsed = read(standard_return(tmp_path / "星化社区5月报表(1).xlsx", [PLACEMENT_HEADER]))
    assert parsed.issues == [] and (parsed.station_code, parsed.period) == ("XH", "2024-05")


def test_corrected_return_suffix_is_allowed(tmp_path: Path):
    parsed = read(standard_return(tmp_path / "XH_2024-05_更正.xlsx", [PLACEMENT_HEADER]))
    assert parsed.issues == [] and not parsed.rejected


def test_station_found_by_traditional_name_alias_when_code_is_blank(tmp_path: Path):
    cover = [row for row in cover_rows(name="星化社區") if row[:1] != ["服务站编码"]]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", [PLACEMENT_HEADER], cover))
    assert parsed.issues == [] and parsed.station_code == "XH"
