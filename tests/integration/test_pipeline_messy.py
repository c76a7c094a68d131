"""The messy returns of returns.md §4 (items 1–14) through the whole pipeline, one night.

One module-scoped run: `generate_messy_returns` into a fresh inbox, then the pipeline's
plain steps (ingest → validate → load → figures), then the same inbox a second night.
Each test checks what an operator, analyst or station clerk sees for one §4 item: the
published `doorstep.duckdb` (marts), the private manifest (`raw.files`) and the station's
feedback workbook. Expected rows and counts come from `doorstep/demo/messy.py`: every
standard variant is station XH with 3 placements, 1 training course and 1 event (5 rows),
title row on top (Excel row 1), header on row 2, data from row 3.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from doorstep import pipeline
from doorstep.demo import generate_messy_returns
from foundation.reference import load_reference
from foundation.settings import Settings
from tests.factories import deliver_as_planned, query, settings_at

pytestmark = [pytest.mark.integration]

AS_OF = date(2026, 4, 30)  # after the last messy period (2026-04)
MARTS = (
    "events",
    "households",
    "incubated",
    "placements",
    "placement_history",
    "quarantine",
    "quarantine_by_reason",
    "returns_register",
    "stations",
    "training",
    "figures",
    "data_version",
)


@dataclass
class Night:
    settings: Settings
    files: dict[str, Path]
    first: pipeline.LoadSummary
    second: pipeline.LoadSummary
    first_batch: pipeline.Batch
    second_batch: pipeline.Batch
    analyst: Path  # the analyst DB as published after night 1
    private: Path  # the private DB after night 1
    marts_first: dict[str, list[tuple[Any, ...]]]
    marts_second: dict[str, list[tuple[Any, ...]]]
    raw_files_second: int


def _marts(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in MARTS
        }
    finally:
        con.close()


def _night(settings: Settings, now: datetime) -> tuple[pipeline.Batch, pipeline.LoadSummary]:
    ctx = pipeline.run_context(settings, now=now, as_of=AS_OF)
    batch = pipeline.validate(pipeline.ingest(ctx), ctx)
    pipeline.feedback(batch, ctx)
    summary = pipeline.load(batch, ctx)
    pipeline.figures(ctx)
    return batch, summary


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Night:
    home = tmp_path_factory.mktemp("messy") / "home"
    settings = settings_at(home)
    outbox = home.parent / "outbox"
    generated = generate_messy_returns(outbox)
    # Each return arrives as planned (the delivery step logs it); the night runs after.
    now = deliver_as_planned(settings, outbox) + timedelta(hours=1)
    files = {kind: settings.inbox / path.name for kind, path in generated.items()}
    first_batch, first = _night(settings, now)
    keep = home.parent / "night1"
    keep.mkdir()
    analyst = Path(shutil.copy2(settings.analyst_db, keep / "doorstep.duckdb"))
    private = Path(shutil.copy2(settings.private_db, keep / "private.duckdb"))
    second_batch, second = _night(settings, now + timedelta(days=1))
    raw_files = query(settings.private_db, "select count(*) from raw.files")[0][0]
    return Night(
        settings,
        files,
        first,
        second,
        first_batch,
        second_batch,
        analyst,
        private,
        _marts(analyst),
        _marts(settings.analyst_db),
        raw_files,
    )


def _quarantine(night: Night, file_name: str) -> list[tuple[Any, ...]]:
    """(sheet, row_number, column_name, reason_code, severity, return_status) of one file."""
    return query(
        night.analyst,
        "select sheet, row_number, column_name, reason_code, severity, return_status "
        "from marts.quarantine where file_name = ? order by row_number, reason_code",
        file_name,
    )


def _register(night: Night, file_name: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(night.analyst), read_only=True)
    try:
        rel = con.execute(
            "select station_code, period, status, received_at, rows_received, rows_accepted, "
            "rows_quarantined, is_current, return_id from marts.returns_register "
            "where file_name = ?",
            [file_name],
        )
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


def _placements(night: Night, period: str, columns: str = "*") -> list[tuple[Any, ...]]:
    return query(
        night.analyst,
        f"select {columns} from marts.placements where station_code = 'XH' and period = ? "
        "order by all",
        period,
    )


def _raw_file(night: Night, file_name: str) -> list[tuple[Any, ...]]:
    return query(
        night.private,
        "select outcome, reason_code, station_code, period from raw.files where file_name = ?",
        file_name,
    )


def _feedback(night: Night, folder: str, file_name: str) -> openpyxl.Workbook:
    stem = Path(file_name).stem.removesuffix("_*")
    path = night.settings.feedback / folder / f"{stem}_反馈.xlsx"
    assert path.exists(), f"no feedback workbook {folder}/{path.name}"
    return openpyxl.load_workbook(path)


def _summary(wb: openpyxl.Workbook) -> dict[str, Any]:
    return {r[0]: r[1] for r in wb["概况"].iter_rows(max_col=2, values_only=True) if r[0]}


def _problems(wb: openpyxl.Workbook) -> list[dict[str, Any]]:
    rows = list(wb["问题明细"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(r)]


def _message(code: str) -> str:
    return load_reference().reasons[code].message_zh


# ------------------------------------------------------------------ the night as a whole


def test_rows_received_equal_rows_loaded_plus_quarantined(night: Night) -> None:
    # 5 rows per standard return; date forms 6 placements + 2; amount forms 5 + 2; codes
    # 5 + 2; duplicate 4 + 2; two CSV sets 5 each; resubmission original and correction 5
    # each. Rejected returns whose sheets could be read count as received and refused:
    # the missing-column return (3 placements, a course, an event), the one naming another
    # station and the one from an unknown station (5 each); unreadable files have no rows.
    loaded_returns = 5 + 5 + 5 + 5 + 5 + 8 + 7 + 7 + 6 + 5 + 10 + 5 + 10
    refused = 5 + 5 + 5
    quarantined = 3  # ID typed as number, 1500多, the duplicate person
    assert night.first.rows_received == loaded_returns + refused == 98
    assert night.first.rows_quarantined == quarantined + refused
    assert night.first.returns_held_back == 0
    assert night.first.rows_loaded == loaded_returns - quarantined
    registered = query(
        night.analyst,
        "select sum(rows_received), sum(rows_accepted), sum(rows_quarantined) "
        "from marts.returns_register where file_name is not null",
    )[0]
    # The unknown station's return is in no station-month of the register.
    assert registered == (
        loaded_returns + refused - 5,
        loaded_returns - quarantined,
        quarantined + refused - 5,
    )


def test_typed_returns_let_go_of_their_raw_text(night: Night) -> None:
    # At a province's scale the raw frames are the night's largest holding; the typed
    # rows carry every one of them on. A refused return is never typed and keeps its
    # frames: their rows are what the register counts as received and refused.
    returns = night.first_batch.returns
    typed = [p for p in returns if not p.rejected]
    refused_read = {p.file_name: p for p in returns if p.rejected and p.sheets}
    assert typed and all(p.sheets == {} for p in typed)
    typed_rows = sum(f.height for f in night.first_batch.typed.values())
    received = "select sum(rows_received) from raw.returns where status <> 'rejected'"
    assert typed_rows == query(night.private, received)[0][0]
    missing_column = refused_read["XH_2024-09.xlsx"]
    assert sum(f.height for f in missing_column.sheets.values()) == 5


def test_every_good_return_of_the_night_loads(night: Night) -> None:
    accepted = {
        *(f"XH_{p}.xlsx" for p in ("2024-06", "2024-07", "2024-08", "2024-10")),
        *(f"XH_{p}.xlsx" for p in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03")),
        "XH_2025-07_*.csv",
        "XH_2025-08_*.csv",
        "XH_2026-02.xlsx",
        "XH_2026-03.xlsx",
        "XH_2026-03_更正.xlsx",
    }
    loaded = {
        r[0]
        for r in query(night.private, "select file_name from raw.returns where status = 'accepted'")
    }
    pair = {"XH_2025-04.xlsx", "XH_2025-04(1).xlsx"}  # byte-identical: one of them, once
    assert loaded - pair == accepted and len(loaded & pair) == 1
    assert night.first.returns_loaded == len(accepted) + 1
    assert night.first.returns_rejected == 9
    assert night.first.duplicates == 1


def test_second_night_on_the_same_inbox_changes_nothing(night: Night) -> None:
    assert night.second_batch.returns == ()
    assert night.second.rows_received == night.second.rows_loaded == 0
    # 25 deliveries (a CSV set counts once), the byte-identical copy recorded as a duplicate.
    raw_files = night.raw_files_second
    assert raw_files == 25
    for table in MARTS:
        assert night.marts_second[table] == night.marts_first[table], table


# ------------------------------------------------------------------ §4.1 title rows, merged cells


def test_title_row_blank_rows_and_signoff_are_not_data(night: Night) -> None:
    (reg,) = _register(night, "XH_2024-06.xlsx")
    assert (reg["status"], reg["rows_received"], reg["rows_accepted"]) == ("on_time", 5, 5)
    assert len(_placements(night, "2024-06")) == 3
    assert _quarantine(night, "XH_2024-06.xlsx") == []
    # Data rows 3, 5, 6: a blank row after the first person (row 4) and at the end.
    rows = query(
        night.private,
        "select p.row_number from staging.placements p join raw.returns r using (return_id) "
        "where r.file_name = 'XH_2024-06.xlsx' order by 1",
    )
    assert [r[0] for r in rows] == [3, 5, 6]
    # Clean: every row loaded, nothing flagged, so no feedback workbook goes back.
    assert not (night.settings.feedback / "XH" / "XH_2024-06_反馈.xlsx").exists()


# ------------------------------------------------------------------ §4.2 header variants


def test_traditional_and_pinyin_headers_map_to_the_template(night: Night) -> None:
    assert _quarantine(night, "XH_2024-07.xlsx") == []
    rows = _placements(
        night, "2024-07", "gender, categories, channel, placed_on, monthly_income, si_subsidy"
    )
    assert len(rows) == 3
    assert [r[1] for r in rows].count(["02", "01"]) == 1
    for gender, categories, channel, placed_on, income, subsidy in rows:
        assert gender in ("男", "女")
        assert categories and channel == "10" and subsidy is False
        assert date(2024, 7, 1) <= placed_on <= date(2024, 7, 31)
        assert 1500 <= income <= 1800


# ------------------------------------------------------------------ §4.3 columns


def test_reordered_columns_with_an_extra_one_load(night: Night) -> None:
    assert _quarantine(night, "XH_2024-08.xlsx") == [
        ("placements", None, "回访情况", "COLUMN_UNKNOWN", "warning", "accepted")
    ]
    rows = _placements(night, "2024-08", "categories, channel, monthly_income")
    assert sorted(r[0] for r in rows) == [["01"], ["02", "01"], ["05"]]
    assert all(r[1] == "10" and 1500 <= r[2] <= 1800 for r in rows)


def test_extra_column_is_kept_in_the_private_layer(night: Night) -> None:
    rows = query(
        night.private,
        "select p.extra from staging.placements p join raw.returns r using (return_id) "
        "where r.file_name = 'XH_2024-08.xlsx'",
    )
    assert len(rows) == 3 and all("回访情况" in (r[0] or "") for r in rows)


def test_missing_id_column_rejects_the_whole_return_naming_the_column(night: Night) -> None:
    # returns.md §6: a return lacking a required column never becomes current.
    assert _quarantine(night, "XH_2024-09.xlsx") == [
        ("placements", None, "身份证号码", "COLUMN_MISSING", "error", "rejected")
    ]
    (reg,) = _register(night, "XH_2024-09.xlsx")
    # 3 placements, a training course and an event: received, none accepted.
    assert (reg["status"], reg["is_current"]) == ("rejected", False)
    assert (reg["rows_received"], reg["rows_accepted"], reg["rows_quarantined"]) == (5, 0, 5)
    assert _placements(night, "2024-09") == []
    assert query(night.analyst, "select * from marts.training where period = '2024-09'") == []
    assert _raw_file(night, "XH_2024-09.xlsx") == [("rejected", "COLUMN_MISSING", "XH", "2024-09")]
    feedback = _feedback(night, "XH", "XH_2024-09.xlsx")
    general = list(feedback["概况"].iter_rows(values_only=True))
    assert any(
        r[0] == "就业帮扶台账：身份证号码" and str(r[1]).startswith(_message("COLUMN_MISSING"))
        for r in general
    )
    assert str(_summary(feedback)["整份报表暂不入库"]).startswith("是")


# ------------------------------------------------------------------ §4.4 ID numbers


def test_id_typed_as_number_quarantines_that_row_only(night: Night) -> None:
    assert _quarantine(night, "XH_2024-10.xlsx") == [
        ("placements", 3, "身份证号码", "ID_TYPED_AS_NUMBER", "error", "accepted")
    ]
    (reg,) = _register(night, "XH_2024-10.xlsx")
    assert (reg["rows_received"], reg["rows_accepted"], reg["rows_quarantined"]) == (5, 4, 1)
    assert sorted(r[0] for r in _placements(night, "2024-10", "categories")) == [
        ["02", "01"],
        ["05"],
    ]
    (problem,) = _problems(_feedback(night, "XH", "XH_2024-10.xlsx"))
    assert (problem["行号"], problem["列"], problem["处理结果"]) == (3, "身份证号码", "本行未入库")
    assert problem["问题"].startswith(_message("ID_TYPED_AS_NUMBER"))
    assert "*" in problem["身份证号码"]


def test_lowercase_x_and_fullwidth_digits_are_normalised(night: Night) -> None:
    assert _quarantine(night, "XH_2024-11.xlsx") == []
    assert len(_placements(night, "2024-11")) == 3
    ids = query(
        night.private,
        "select p.row_number, regexp_full_match(p.id_number, '[0-9]{17}[0-9X]'), "
        "p.id_number[18] = 'X', regexp_full_match(p.disability_cert, '[0-9]{17}[0-9X][1-7][1-4]') "
        "from staging.placements p join raw.returns r using (return_id) "
        "where r.file_name = 'XH_2024-11.xlsx' order by 1",
    )
    assert [r[1] for r in ids] == [True, True, True]
    assert ids[0][2] is True  # the lowercase x, now X
    assert ids[1][3] is True  # full-width certificate digits, now ASCII


# ------------------------------------------------------------------ §4.5 dates, §4.6 amounts


def test_every_date_form_is_parsed(night: Night) -> None:
    # Serial, 2024/12/31, 2024.12.31, 20241231, 2024年12月31日, 2024-12-31; cover 报告期 202412.
    assert _quarantine(night, "XH_2024-12.xlsx") == []
    rows = _placements(night, "2024-12", "placed_on, late_report")
    assert rows == [(date(2024, 12, 31), False)] * 6


def test_amount_forms_parse_and_approximate_amount_is_quarantined(night: Night) -> None:
    assert _quarantine(night, "XH_2025-01.xlsx") == [
        ("placements", 7, "月收入(元)", "INCOME_INVALID", "error", "accepted")
    ]
    assert _placements(night, "2025-01", "monthly_income") == [(1500.0,)] * 4
    (problem,) = _problems(_feedback(night, "XH", "XH_2025-01.xlsx"))
    assert (problem["行号"], problem["处理结果"]) == (7, "本行未入库")
    assert problem["问题"].startswith(_message("INCOME_INVALID"))


# ------------------------------------------------------------------ §4.7 codes


def test_category_and_channel_aliases_and_traditional_are_accepted(night: Night) -> None:
    assert _quarantine(night, "XH_2025-02.xlsx") == []
    rows = _placements(night, "2025-02", "categories, channel")
    assert Counter((tuple(c), ch) for c, ch in rows) == Counter(
        {
            (("01",), "10"): 1,  # 低保户 / 企業吸納
            (("02",), "10"): 1,  # 殘疾人 / 10
            (("05",), "23"): 1,  # 4050人员 / 手工外包
            (("02", "01"), "24"): 1,  # 02、低收入 / 殘疾人之家
            (("03",), "30"): 1,  # 困難職工家庭 / 公益崗位
        }
    )
    assert query(
        night.analyst, "select training_type from marts.training where period = '2025-02'"
    ) == [("就业技能培训",)]
    assert query(night.analyst, "select event_type from marts.events where period = '2025-02'") == [
        ("政策研读讲座",)
    ]


# ------------------------------------------------------------------ §4.8 duplicate person


def test_same_person_twice_in_a_return_quarantines_the_repeat(night: Night) -> None:
    assert _quarantine(night, "XH_2025-03.xlsx") == [
        ("placements", 6, "身份证号码", "PERSON_DUPLICATE", "error", "accepted")
    ]
    keys = _placements(night, "2025-03", "person_key")
    assert len(keys) == len(set(keys)) == 3


# ------------------------------------------------------------------ §4.9 resubmission


def test_resubmission_replaces_its_station_month_as_a_whole(night: Night) -> None:
    (original,) = _register(night, "XH_2026-03.xlsx")
    (fixed,) = _register(night, "XH_2026-03_更正.xlsx")
    assert (original["is_current"], fixed["is_current"], fixed["status"]) == (
        False,
        True,
        "resubmitted",
    )
    rows = _placements(night, "2026-03", "return_id, monthly_income")
    assert {r[0] for r in rows} == {fixed["return_id"]}
    assert len(rows) == 3 and 1880.0 in [r[1] for r in rows]
    history = query(
        night.analyst,
        "select return_id, is_current, count(*) from marts.placement_history "
        "where station_code = 'XH' and period = '2026-03' group by all order by all",
    )
    assert sorted(history) == sorted(
        [(original["return_id"], False, 3), (fixed["return_id"], True, 3)]
    )


# ------------------------------------------------------------------ §4.10 byte-identical copy


def test_byte_identical_copy_under_another_name_loads_once(night: Night) -> None:
    rows = query(
        night.private,
        "select outcome, count(*) from raw.files where file_name like 'XH_2025-04%' group by all",
    )
    assert sorted(rows) == [("accepted", 1), ("duplicate", 1)]
    register = query(
        night.analyst,
        "select status, rows_received from marts.returns_register "
        "where station_code = 'XH' and period = '2025-04'",
    )
    assert register == [("on_time", 5)]
    assert len(_placements(night, "2025-04")) == 3


def test_byte_identical_pair_loads_the_first_delivery(night: Night) -> None:
    rows = query(
        night.private,
        "select file_name, received_at, outcome from raw.files "
        "where file_name like 'XH_2025-04%' order by received_at",
    )
    assert rows == [
        ("XH_2025-04.xlsx", datetime(2025, 5, 3, 9, 0), "accepted"),
        ("XH_2025-04(1).xlsx", datetime(2025, 5, 3, 11, 0), "duplicate"),
    ]


# ------------------------------------------------------------------ §4.11 wrong station


def test_unknown_station_is_rejected_with_its_reason(night: Night) -> None:
    assert _quarantine(night, "ZZ_2025-05.xlsx") == [
        ("cover", None, "服务站编码", "STATION_UNKNOWN", "error", "rejected")
    ]
    assert _raw_file(night, "ZZ_2025-05.xlsx")[0][:2] == ("rejected", "STATION_UNKNOWN")
    (problem,) = _problems(_feedback(night, "_unknown", "ZZ_2025-05.xlsx"))
    assert problem["问题"].startswith(_message("STATION_UNKNOWN"))


def test_cover_naming_another_station_is_rejected_and_registered(night: Night) -> None:
    assert _quarantine(night, "XH_2025-06.xlsx") == [
        ("cover", None, "服务站编码", "STATION_MISMATCH", "error", "rejected")
    ]
    assert _raw_file(night, "XH_2025-06.xlsx")[0][:2] == ("rejected", "STATION_MISMATCH")
    (reg,) = _register(night, "XH_2025-06.xlsx")
    assert (reg["status"], reg["rows_accepted"]) == ("rejected", 0)
    assert query(
        night.analyst, "select count(*) from marts.placements where period = '2025-06'"
    ) == [(0,)]


# ------------------------------------------------------------------ §4.13 broken files

BROKEN = {
    "XH_2025-09.xlsx": "FILE_CORRUPT",  # truncated
    "XH_2025-10.xlsx": "FILE_ENCRYPTED",
    "XH_2025-11.xls": "FILE_XLS_OLD_FORMAT",
    "XH_2025-12.xlsx": "FILE_EMPTY",
    "XH_2026-01.xlsx": "FILE_NOT_SPREADSHEET",
    "XH_2026-04.xlsx": "FILE_TOO_LARGE",  # a stray cell in XFD1048576
}


@pytest.mark.parametrize(("file_name", "reason"), sorted(BROKEN.items()))
def test_broken_file_is_rejected_with_its_own_reason(
    night: Night, file_name: str, reason: str
) -> None:
    assert _quarantine(night, file_name) == [(None, None, None, reason, "error", "rejected")]
    assert _raw_file(night, file_name)[0][:2] == ("rejected", reason)
    # Named XH_…: the feedback goes back to XH even though the file could not be opened.
    wb = _feedback(night, "XH", file_name)
    (problem,) = _problems(wb)
    assert problem["问题"].startswith(_message(reason)) and problem["处理结果"] == "整份文件"


# ------------------------------------------------------------------ §4.14 formula-like cells


def test_formula_like_cells_are_stored_as_text(night: Night) -> None:
    rows = query(
        night.private,
        "select p.row_number, p.name, p.employer, p.job, p.note "
        "from staging.placements p join raw.returns r using (return_id) "
        "where r.file_name = 'XH_2026-02.xlsx' order by 1",
    )
    assert [r[0] for r in rows] == [3, 4, 5]
    assert rows[0][1] == '=HYPERLINK("http://x","y")' and rows[0][3] == "-保洁-"
    assert rows[1][2] == "+86连云港某公司"
    assert rows[2][4] == "@张老师跟进"
    assert len(_placements(night, "2026-02")) == 3


def test_formula_like_cells_are_written_back_inert(night: Night) -> None:
    wb = _feedback(night, "XH", "XH_2026-02.xlsx")
    flagged = [p for p in _problems(wb) if str(p["问题"]).startswith(_message("FORMULA_TEXT"))]
    assert {(p["行号"], p["列"]) for p in flagged} >= {
        (3, "姓名"),
        (4, "就业单位"),
        (5, "备注"),
        (3, "就业岗位"),
    }
    # The masked 姓名 of =HYPERLINK(...) starts with "=": a quote-prefixed string cell.
    cell = next(
        row[6]
        for row in wb["问题明细"].iter_rows(min_row=2)
        if row[1].value == 3 and str(row[6].value or "").lstrip("'").startswith("=")
    )
    assert cell.data_type == "s" and cell.quotePrefix and str(cell.value).startswith("'=")
    with zipfile.ZipFile(night.settings.feedback / "XH" / "XH_2026-02_反馈.xlsx") as z:
        xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert xml and not any("<f>" in x or "<f " in x for x in xml)
    # A warning: the rows load, the flags are listed for analysts.
    assert {r[3:] for r in _quarantine(night, "XH_2026-02.xlsx")} == {
        ("FORMULA_TEXT", "warning", "accepted")
    }


# ------------------------------------------------------------------ feedback privacy


def test_no_full_id_number_in_any_feedback_workbook(night: Night) -> None:
    ids: set[str] = set()
    for path in night.settings.inbox.glob("*.xlsx"):
        if path.name in BROKEN:  # unreadable, or (huge extent) a million empty rows
            continue
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                ids.update(
                    str(v).upper()
                    for v in row
                    if isinstance(v, str) and re.fullmatch(r"\d{17}[\dXx]", v)
                )
    assert len(ids) > 30
    books = list(night.settings.feedback.rglob("*.xlsx"))
    # One per distinct return with an issue (the byte-identical copy and the clean returns
    # get none): every problem of a return is on record in raw.quarantine.
    (with_issues,) = query(
        night.private,
        "select count(distinct return_id) from raw.returns where status <> 'accepted' "
        "or return_id in (select return_id from raw.quarantine)",
    )
    assert len(books) == with_issues[0] and len(books) > 10
    for book in books:
        with zipfile.ZipFile(book) as z:
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()).upper()
        leaked = [i for i in ids if i in text]
        assert not leaked, f"{book.name}: {len(leaked)} full ID numbers"
