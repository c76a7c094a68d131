"""`expectations.decide`: quarantine and hold-back on plain frames (pure Polars, no GX)."""

from __future__ import annotations

import polars as pl
import pytest

from expectations.decide import decide


def received(return_id: str, sheet: str, rows: range) -> pl.DataFrame:
    return pl.DataFrame(
        {"return_id": return_id, "sheet": sheet, "row_number": list(rows)},
        schema={"return_id": pl.String, "sheet": pl.String, "row_number": pl.Int64},
    )


def issues(*rows: tuple[str, str | None, int | None, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "return_id": r,
                "sheet": s,
                "row_number": n,
                "column_name": None,
                "reason_code": c,
                "detail": "",
            }
            for r, s, n, c in rows
        ],
        schema={
            "return_id": pl.String,
            "sheet": pl.String,
            "row_number": pl.Int64,
            "column_name": pl.String,
            "reason_code": pl.String,
            "detail": pl.String,
        },
    )


def summary(decision, return_id: str) -> dict:
    return decision.returns.filter(pl.col("return_id") == return_id).row(0, named=True)


def test_warning_rows_load_error_rows_are_quarantined() -> None:
    got = decide(
        issues(
            ("a", "placements", 5, "PLACED_LATE_REPORT"),
            ("a", "placements", 6, "CERT_BAD_FORMAT"),
            ("a", "placements", 7, "PLACED_AFTER_PERIOD"),
            ("a", "placements", 7, "INCOME_OUT_OF_RANGE"),
        ),
        received("a", "placements", range(5, 15)),
        holdback_share=0.5,
    )
    assert got.rows.filter(pl.col("status") == "quarantined")["row_number"].to_list() == [7]
    s = summary(got, "a")
    assert (s["rows_received"], s["rows_accepted"], s["rows_quarantined"], s["rows_loaded"]) == (
        10,
        9,
        1,
        9,
    )
    assert got.loaded.height + got.kept_out.height == 10


def test_same_row_number_on_two_sheets_is_two_rows() -> None:
    got = decide(
        issues(("a", "training", 5, "COUNT_ORDER")),
        pl.concat(
            [received("a", "placements", range(5, 8)), received("a", "training", range(5, 8))]
        ),
        holdback_share=0.5,
    )
    kept_out = got.kept_out.rows()
    assert kept_out == [("a", "training", 5)]


@pytest.mark.parametrize(("bad", "held"), [(5, False), (6, True)])
def test_hold_back_only_above_the_share(bad: int, held: bool) -> None:
    got = decide(
        issues(*[("a", "events", n, "TYPE_INVALID") for n in range(bad)]),
        received("a", "events", range(10)),
        holdback_share=0.5,
    )
    s = summary(got, "a")
    assert s["held_back"] is held
    assert s["rows_loaded"] == (0 if held else 10 - bad)
    held_issue = got.issues.filter(pl.col("reason_code") == "RETURN_HELD_BACK")
    assert held_issue.height == (1 if held else 0)
    if held:
        assert set(got.rows.filter(pl.col("status") == "held_back")["row_number"]) == set(
            range(bad, 10)
        )


def test_returns_are_decided_separately() -> None:
    got = decide(
        issues(*[("bad", "placements", n, "ID_BAD_CHECKSUM") for n in range(4)]),
        pl.concat(
            [received("bad", "placements", range(5)), received("good", "placements", range(5))]
        ),
        holdback_share=0.5,
    )
    assert summary(got, "bad")["held_back"] is True
    assert summary(got, "good") == {
        "return_id": "good",
        "rows_received": 5,
        "rows_accepted": 5,
        "rows_quarantined": 0,
        "held_back": False,
        "rows_loaded": 5,
    }


def test_file_level_issue_quarantines_no_row() -> None:
    got = decide(
        issues(("a", None, None, "COLUMN_UNKNOWN"), ("a", "placements", None, "SHEET_MISSING")),
        received("a", "placements", range(3)),
        holdback_share=0.5,
    )
    assert got.loaded.height == 3


def test_unknown_reason_code_is_refused() -> None:
    with pytest.raises(ValueError, match="NOT_A_REASON"):
        decide(
            issues(("a", "placements", 1, "NOT_A_REASON")),
            received("a", "placements", range(3)),
            holdback_share=0.5,
        )
