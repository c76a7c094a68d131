"""A return lacking a column or a sheet its station must send is rejected whole
(returns.md §6), through the pipeline's plain steps on the demo returns.

Night 1 loads the demo (F01 192 as of 2024-05-31). Night 2 brings two resubmissions
of XH 2024-05, made from the demo's own workbook with openpyxl: one without the
身份证号码 column, one without the 就业帮扶台账 sheet. Before the fix either became the
current version and XH's May placements vanished (F01 192 → 180).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from doorstep import pipeline
from doorstep.demo import generate_demo_returns
from doorstep.demo.generate import set_delivery_time
from foundation.reference import load_reference
from foundation.settings import Settings
from tests.factories import query, settings_at

pytestmark = [pytest.mark.integration]

AS_OF = date(2024, 5, 31)
ORIGINAL = "XH_2024-05.xlsx"
NO_ID_COLUMN = "XH_2024-05_更正.xlsx"
NO_PLACEMENTS = "XH_2024-05_再更正.xlsx"
PLACEMENTS_SHEET = "就业帮扶台账"


@dataclass
class Nights:
    settings: Settings
    figures_before: list[tuple[Any, ...]]
    register_before: dict[str, Any]
    placement_rows: int  # data rows of XH 2024-05's placement sheet, counted with openpyxl
    second: pipeline.LoadSummary


def _night(settings: Settings) -> pipeline.LoadSummary:
    ctx = pipeline.run_context(settings, as_of=AS_OF)
    summary = pipeline.record(ctx)
    pipeline.figures(ctx)
    return summary


def _figures(settings: Settings) -> list[tuple[Any, ...]]:
    # F13 counts versions received, which the rejected returns add to by design.
    return query(
        settings.analyst_db,
        "select figure, scope, station, category, measure, value, text from marts.figures "
        "where figure <> 'F13' order by all",
    )


def _register(settings: Settings, file_name: str) -> dict[str, Any]:
    rows = query(
        settings.analyst_db,
        "select status, is_current, rows_received, rows_accepted, rows_quarantined "
        "from marts.returns_register where file_name = ?",
        file_name,
    )
    assert len(rows) == 1, file_name
    keys = ("status", "is_current", "rows_received", "rows_accepted", "rows_quarantined")
    return dict(zip(keys, rows[0], strict=True))


def _header_cell(sheet: Any, header: str) -> Any:
    return next(c for row in sheet.iter_rows() for c in row if c.value == header)


def _data_rows_below(sheet: Any, header_row: int) -> int:
    return sum(
        1
        for row in sheet.iter_rows(min_row=header_row + 1, values_only=True)
        if row[0] is not None and str(row[0]).strip().isdigit()  # 序号 of a data row
    )


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    settings = settings_at(tmp_path_factory.mktemp("incomplete") / "home")
    generate_demo_returns(settings.inbox)
    _night(settings)
    figures_before = _figures(settings)
    register_before = _register(settings, ORIGINAL)

    original = settings.inbox / ORIGINAL
    book = openpyxl.load_workbook(original)
    sheet = book[PLACEMENTS_SHEET]
    id_cell = _header_cell(sheet, "身份证号码")
    placement_rows = _data_rows_below(sheet, id_cell.row)
    sheet.delete_cols(id_cell.column)
    book.save(settings.inbox / NO_ID_COLUMN)
    book = openpyxl.load_workbook(original)
    del book[PLACEMENTS_SHEET]
    book.save(settings.inbox / NO_PLACEMENTS)
    set_delivery_time(settings.inbox / NO_ID_COLUMN, datetime(2024, 6, 20, 9))
    set_delivery_time(settings.inbox / NO_PLACEMENTS, datetime(2024, 6, 21, 9))
    second = _night(settings)
    return Nights(settings, figures_before, register_before, placement_rows, second)


def test_incomplete_resubmissions_change_no_figure(nights: Nights) -> None:
    f01 = [r for r in nights.figures_before if r[:5] == ("F01", "ytd", None, None, "persons")]
    assert [r[5] for r in f01] == [192.0]
    assert nights.placement_rows == 12  # the placements a bad resubmission used to wipe out
    assert _figures(nights.settings) == nights.figures_before


def test_the_original_stays_current(nights: Nights) -> None:
    assert _register(nights.settings, ORIGINAL)["is_current"] is True
    current = query(
        nights.settings.analyst_db,
        "select count(*) from marts.placements where station_code = 'XH' and period = '2024-05'",
    )
    assert current == [(nights.placement_rows,)]


def test_missing_column_return_is_refused_with_every_row_counted(nights: Nights) -> None:
    rows = nights.register_before["rows_received"]
    assert _register(nights.settings, NO_ID_COLUMN) == {
        "status": "rejected",
        "is_current": False,
        "rows_received": rows,
        "rows_accepted": 0,
        "rows_quarantined": rows,
    }


def test_missing_sheet_return_is_refused_with_its_other_rows_counted(nights: Nights) -> None:
    rows = nights.register_before["rows_received"] - nights.placement_rows
    assert _register(nights.settings, NO_PLACEMENTS) == {
        "status": "rejected",
        "is_current": False,
        "rows_received": rows,
        "rows_accepted": 0,
        "rows_quarantined": rows,
    }


def test_the_night_counts_the_refused_rows(nights: Nights) -> None:
    second = nights.second
    assert (second.returns_rejected, second.returns_loaded, second.rows_loaded) == (2, 0, 0)
    both = 2 * nights.register_before["rows_received"] - nights.placement_rows
    assert second.rows_received == second.rows_quarantined == both


def _general_problems(settings: Settings, file_name: str) -> list[tuple[Any, ...]]:
    path = settings.feedback / "XH" / f"{Path(file_name).stem}_反馈.xlsx"
    rows = list(openpyxl.load_workbook(path)["概况"].iter_rows(max_col=3, values_only=True))
    return [r for r in rows if r[0]]


@pytest.mark.parametrize(
    ("file_name", "where", "code"),
    [
        (NO_ID_COLUMN, "就业帮扶台账：身份证号码", "COLUMN_MISSING"),
        (NO_PLACEMENTS, "就业帮扶台账", "SHEET_MISSING"),
    ],
)
def test_feedback_names_what_is_missing_and_says_the_return_is_refused(
    nights: Nights, file_name: str, where: str, code: str
) -> None:
    problems = _general_problems(nights.settings, file_name)
    message = load_reference().reasons[code].message_zh
    assert any(r[0] == where and str(r[1]).startswith(message) for r in problems), problems
    summary = {r[0]: r[1] for r in problems}
    assert str(summary["整份报表暂不入库"]).startswith("是")
    assert summary["有错误未入库行数"] == summary["收到数据行数"] > 0


def test_the_private_manifest_records_why(nights: Nights) -> None:
    rows = query(
        nights.settings.private_db,
        "select file_name, outcome, reason_code from raw.files where file_name in (?, ?) "
        "order by file_name",
        NO_ID_COLUMN,
        NO_PLACEMENTS,
    )
    assert rows == [
        (NO_PLACEMENTS, "rejected", "SHEET_MISSING"),
        (NO_ID_COLUMN, "rejected", "COLUMN_MISSING"),
    ]
