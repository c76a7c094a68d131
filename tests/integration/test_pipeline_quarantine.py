"""Quarantine at scale and in detail, through the pipeline's plain steps on real files.

Night 1: a good return for XH 2024-06 (4 placements, income 2000 each).
Night 2: (a) a correction of XH 2024-06 with 500 rows whose ID check character is wrong and
20 good rows — more than half bad, so it is held back as a whole and the month keeps the
night-1 version; (b) XH 2024-07 with 30 placements, three of them bad in different ways.
Workbooks come from `write_return_workbook` (title row 1, header row 2, data from row 3).
"""

from __future__ import annotations

import random
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from doorstep import pipeline
from doorstep.demo.generate import set_delivery_time
from doorstep.demo.people import PersonFactory, make_mobile, wrong_check_char
from doorstep.returns_xlsx import period_label, write_return_workbook
from foundation.reference import load_reference
from foundation.settings import Settings
from tests.factories import query, settings_at

pytestmark = [pytest.mark.integration]

AS_OF = date(2024, 7, 31)
FIRST_DATA_ROW = 3
BAD_A, GOOD_A = 500, 20
# (b): 0-based index of the bad placement → (Excel row, reason, column as headed)
BAD_B = {
    4: (7, "ID_BAD_CHECKSUM", "身份证号码"),
    11: (14, "INCOME_INVALID", "月收入(元)"),
    22: (25, "PHONE_INVALID", "联系电话"),
}
FORMULA_NAME = '=HYPERLINK("http://x","y")'  # on the bad-ID row of (b)

Row = dict[str, object]


class _Returns:
    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        self.rng = random.Random(20240731)
        self.people = PersonFactory(self.rng, {"320706": 1})
        self.ref = load_reference()

    def placement(self, period: str, income: object = 2000) -> Row:
        y, m = (int(p) for p in period.split("-"))
        placed = date(y, m, 1) + timedelta(days=self.rng.randint(0, 27))
        p = self.people.make(placed, ("01",), 0.5)
        return {
            "name": p.name,
            "gender": p.gender,
            "id_number": p.id_number,
            "categories": "低收入人口",
            "disability_cert": None,
            "channel": "单位就业",
            "employer": "连云港海宁食品有限公司",
            "job": "包装工",
            "placed_on": placed,
            "monthly_income": income,
            "si_subsidy": "否",
            "phone": p.phone,
            "note": None,
        }

    def write(self, name: str, period: str, rows: list[Row], delivered: datetime) -> Path:
        for i, row in enumerate(rows, start=1):
            row["seq"] = i
        cover = {
            "station_name": self.ref.stations["XH"].name,
            "station_code": "XH",
            "street": self.ref.stations["XH"].street,
            "period": period_label(period),
            "reporter": self.people.name(False),
            "reporter_phone": make_mobile(self.rng),
            "filled_on": delivered.date(),
        }
        sheets = {
            "placements": rows,
            "training": [],
            "events": [],
            "incubated": [],
            "households": [],
        }
        path = write_return_workbook(self.inbox / name, cover, sheets)
        set_delivery_time(path, delivered)
        return path


@dataclass
class Nights:
    settings: Settings
    earlier: Path
    held: Path
    mixed: Path
    personal: set[str]  # every ID number and phone written into the returns (good or bad)
    second: pipeline.LoadSummary


def _night(settings: Settings, now: datetime) -> pipeline.LoadSummary:
    ctx = pipeline.run_context(settings, now=now, as_of=AS_OF)
    summary = pipeline.record(ctx)
    pipeline.figures(ctx)
    return summary


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    settings = settings_at(tmp_path_factory.mktemp("quarantine") / "home")
    make = _Returns(settings.inbox)

    earlier_rows = [make.placement("2024-06") for _ in range(4)]
    earlier = make.write("XH_2024-06.xlsx", "2024-06", earlier_rows, datetime(2024, 7, 3, 9))
    _night(settings, datetime(2024, 7, 4, 2))

    held_rows = [make.placement("2024-06", 1600) for _ in range(BAD_A + GOOD_A)]
    personal = {str(r[k]) for r in earlier_rows + held_rows for k in ("id_number", "phone")}
    for row in held_rows[:BAD_A]:
        row["id_number"] = wrong_check_char(str(row["id_number"]))
    held = make.write("XH_2024-06_更正.xlsx", "2024-06", held_rows, datetime(2024, 7, 20, 9))

    mixed_rows = [make.placement("2024-07", 1700) for _ in range(30)]
    personal |= {str(r[k]) for r in mixed_rows for k in ("id_number", "phone")}
    bad_id = 4
    mixed_rows[bad_id]["id_number"] = wrong_check_char(str(mixed_rows[bad_id]["id_number"]))
    mixed_rows[bad_id]["name"] = FORMULA_NAME
    mixed_rows[11]["monthly_income"] = "1500多"
    mixed_rows[22]["phone"] = "1234567"
    mixed = make.write("XH_2024-07.xlsx", "2024-07", mixed_rows, datetime(2024, 8, 3, 9))
    personal |= {str(r["id_number"]) for r in held_rows + mixed_rows}
    # The correction of 20 July and July's return of 3 August, recorded that night.
    second = _night(settings, datetime(2024, 8, 4, 2))
    return Nights(settings, earlier, held, mixed, personal, second)


def _q(nights: Nights, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return query(nights.settings.analyst_db, sql, *params)


def _return_id(nights: Nights, file_name: str) -> str:
    rows = _q(
        nights,
        "select distinct return_id from marts.returns_register where file_name = ?",
        file_name,
    )
    assert len(rows) == 1, file_name
    return str(rows[0][0])


def _feedback(nights: Nights, path: Path) -> Path:
    book = nights.settings.feedback / "XH" / f"{path.stem}_反馈.xlsx"
    assert book.exists(), book.name
    return book


def _problems(book: Path) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(book)["问题明细"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(r)]


def _message(code: str) -> str:
    return load_reference().reasons[code].message_zh


# ------------------------------------------------------------------ (a) 500 bad rows, held back


def test_all_500_bad_rows_are_in_the_quarantine(nights: Nights) -> None:
    rows = _q(
        nights,
        "select row_number, column_name, return_status from marts.quarantine "
        "where file_name = ? and reason_code = 'ID_BAD_CHECKSUM' order by row_number",
        nights.held.name,
    )
    assert len(rows) == BAD_A
    assert [r[0] for r in rows] == list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + BAD_A))
    assert {(r[1], r[2]) for r in rows} == {("身份证号码", "held_back")}
    errors_elsewhere = _q(
        nights,
        "select count(*) from marts.quarantine where file_name = ? and severity = 'error' "
        "and row_number >= ?",
        nights.held.name,
        FIRST_DATA_ROW + BAD_A,
    )
    assert errors_elsewhere == [(0,)]


def test_mostly_bad_return_is_held_back_in_the_register(nights: Nights) -> None:
    rows = _q(
        nights,
        "select file_name, status, is_current, rows_received, rows_accepted, rows_quarantined "
        "from marts.returns_register where station_code = 'XH' and period = '2024-06' "
        "order by received_at",
    )
    assert rows[0][:3] == (nights.earlier.name, "on_time", True)
    assert rows[1][:3] == (nights.held.name, "held_back", False)
    # Only the bad rows count as quarantined; the clean ones are held back with them.
    assert rows[1][3:] == (BAD_A + GOOD_A, 0, BAD_A)
    assert nights.second.returns_held_back == 1
    held_issue = _q(
        nights,
        "select count(*) from marts.quarantine where file_name = ? and reason_code = 'RETURN_HELD_BACK'",
        nights.held.name,
    )
    assert held_issue == [(1,)]


def test_held_back_month_keeps_its_previous_version(nights: Nights) -> None:
    earlier_id = _return_id(nights, nights.earlier.name)
    rows = _q(
        nights,
        "select return_id, monthly_income from marts.placements "
        "where station_code = 'XH' and period = '2024-06'",
    )
    assert rows == [(earlier_id, 2000.0)] * 4


def test_held_back_rows_still_balance(nights: Nights) -> None:
    # Night 2 received 520 + 30 rows: 27 loaded, 500 + 3 quarantined, 20 clean but held back.
    s = nights.second
    assert s.rows_received == BAD_A + GOOD_A + 30
    assert (s.rows_loaded, s.rows_quarantined) == (27, BAD_A + 3)
    assert s.rows_received - s.rows_loaded - s.rows_quarantined == GOOD_A


def test_held_back_feedback_lists_every_bad_row(nights: Nights) -> None:
    book = _feedback(nights, nights.held)
    summary = {
        r[0]: r[1]
        for r in openpyxl.load_workbook(book)["概况"].iter_rows(max_col=2, values_only=True)
    }
    assert str(summary["整份报表暂不入库"]).startswith("是")
    problems = [p for p in _problems(book) if p["问题"].startswith(_message("ID_BAD_CHECKSUM"))]
    assert sorted(p["行号"] for p in problems) == list(
        range(FIRST_DATA_ROW, FIRST_DATA_ROW + BAD_A)
    )
    assert all(re.fullmatch(r"320706\*{8}[0-9X]{4}", p["身份证号码"]) for p in problems)


# ------------------------------------------------------------------ (b) three bad rows of thirty


def test_exactly_the_three_bad_rows_are_quarantined(nights: Nights) -> None:
    rows = _q(
        nights,
        "select row_number, reason_code, column_name, severity, return_status "
        "from marts.quarantine where file_name = ? order by row_number, reason_code",
        nights.mixed.name,
    )
    errors = [r for r in rows if r[3] == "error"]
    assert errors == [
        (row, code, column, "error", "accepted") for row, code, column in BAD_B.values()
    ]
    # Besides: the formula-like name on the bad-ID row is flagged (a warning, not a quarantine).
    assert [r for r in rows if r[3] != "error"] == [
        (BAD_B[4][0], "FORMULA_TEXT", "姓名", "warning", "accepted")
    ]


def test_the_other_27_rows_are_placements(nights: Nights) -> None:
    mixed_id = _return_id(nights, nights.mixed.name)
    rows = _q(
        nights,
        "select return_id, monthly_income from marts.placements "
        "where station_code = 'XH' and period = '2024-07'",
    )
    assert rows == [(mixed_id, 1700.0)] * 27
    register = _q(
        nights,
        "select status, rows_received, rows_accepted, rows_quarantined, is_current "
        "from marts.returns_register where file_name = ?",
        nights.mixed.name,
    )
    assert register == [("on_time", 30, 27, 3, True)]


def test_feedback_names_each_bad_row_with_masked_identity(nights: Nights) -> None:
    problems = [
        p for p in _problems(_feedback(nights, nights.mixed)) if p["处理结果"] == "本行未入库"
    ]
    got = sorted((p["行号"], p["列"], p["处理结果"]) for p in problems)
    assert got == [(row, column, "本行未入库") for row, _, column in BAD_B.values()]
    for p in problems:
        code = next(c for r, c, _ in BAD_B.values() if r == p["行号"])
        assert p["问题"].startswith(_message(code))
        assert re.fullmatch(r"320706\*{8}[0-9X]{4}", p["身份证号码"])
        assert re.fullmatch(r"'?.\*+", p["姓名"])  # a formula-like name keeps a visible quote


def test_formula_like_name_is_written_back_as_inert_text(nights: Nights) -> None:
    book = _feedback(nights, nights.mixed)
    ws = openpyxl.load_workbook(book)["问题明细"]
    headers = [c.value for c in ws[1]]
    cell = next(
        row[headers.index("姓名")] for row in ws.iter_rows(min_row=2) if row[1].value == BAD_B[4][0]
    )
    assert cell.data_type == "s" and cell.quotePrefix
    assert str(cell.value).startswith("'=")  # masked 姓名 of =HYPERLINK(...), kept inert
    with zipfile.ZipFile(book) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)


@pytest.mark.parametrize("which", ["held", "mixed"])
def test_no_full_id_number_or_phone_in_the_feedback_xml(nights: Nights, which: str) -> None:
    book = _feedback(nights, getattr(nights, which))
    with zipfile.ZipFile(book) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert len(nights.personal) > 2 * (BAD_A + GOOD_A)
    leaked = sum(value in text for value in nights.personal)
    assert leaked == 0, f"{leaked} personal values in {book.name}"


# ------------------------------------------------------------------ who gets a workbook


def test_only_a_return_with_an_issue_gets_a_feedback_workbook(nights: Nights) -> None:
    # Night 1's return is clean (every row loaded, nothing flagged): its clerk has
    # nothing to do, so nothing is sent back; the two of night 2 have issues.
    flagged = query(
        nights.settings.private_db, "select distinct file_name from raw.quarantine order by 1"
    )
    assert flagged == sorted((p.name,) for p in (nights.held, nights.mixed))
    assert not (nights.settings.feedback / "XH" / f"{nights.earlier.stem}_反馈.xlsx").exists()
    assert _feedback(nights, nights.held) and _feedback(nights, nights.mixed)
    books = sorted(p.name for p in nights.settings.feedback.rglob("*.xlsx"))
    assert books == sorted(f"{p.stem}_反馈.xlsx" for p in (nights.held, nights.mixed))
