"""The station's feedback workbook, read back with openpyxl."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from doorstep.feedback import identity_rows, safe_text, write_feedback
from foundation.reference import load_reference
from tests.factories import synthetic_id

PERSON_ID = synthetic_id(7, birth="19850315")
EVIL_NAME = '=HYPERLINK("http://example.invalid/x","点我")'
EVIL_FILE = '=HYPERLINK("http://example.invalid","XH_2024-05").xlsx'

INFO = {
    "station_code": "XH",
    "period": "2024-05",
    "file_name": EVIL_FILE,
    "received_at": datetime(2024, 6, 3, 9, 30),
    "rows_received": 12,
    "rows_accepted": 10,
    "rows_quarantined": 2,
    "held_back": False,
}


def issues() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "return_id": ["r"] * 4,
            "sheet": ["placements", "placements", None, "training"],
            "row_number": [6, 9, None, 5],
            "column_name": ["身份证号码", "就业日期", None, "结业人数"],
            "reason_code": [
                "ID_BAD_CHECKSUM",
                "PLACED_LATE_REPORT",
                "COLUMN_UNKNOWN",
                "COUNT_ORDER",
            ],
            "detail": ["", "", "=SUM(A1:A9)", "结业人数大于培训人数"],
        },
        schema_overrides={"row_number": pl.Int64},
    )


def typed() -> dict[str, pl.DataFrame]:
    return {
        "placements": pl.DataFrame(
            {
                "row_number": [6, 9],
                "name": ["欧阳测试", EVIL_NAME],
                "id_number": [None, PERSON_ID],
                "id_raw": [PERSON_ID[:-1] + "0", PERSON_ID],
                "placed_on": [date(2024, 5, 2), date(2024, 4, 28)],
            }
        ),
        "training": pl.DataFrame({"row_number": [5], "project": ["穿戴甲"]}),
    }


@pytest.fixture()
def workbook(tmp_path: Path) -> Path:
    return write_feedback(
        tmp_path / "XH_2024-05_反馈.xlsx", INFO, issues(), identity_rows(typed()), load_reference()
    )


def test_summary_counts_and_general_problems(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["概况"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=1, max_row=9, values_only=True)}
    assert values["服务站"] == "星化社区家门口就业服务站（XH）"
    assert values["报告期"] == "2024年5月"
    assert values["接收时间"] == "2024-06-03 09:30"
    assert (values["收到数据行数"], values["可入库行数"], values["有错误未入库行数"]) == (12, 10, 2)
    assert values["整份报表暂不入库"] == "否"
    assert values["问题条数"] == 4
    general = [row for row in sheet.iter_rows(min_row=12, values_only=True) if row[0]]
    assert general == [
        (
            "（整个文件）",
            "模板中没有的列（已保留原样，不参与统计）（=SUM(A1:A9)）",
            "如非必要请删除该列",
        )
    ]


def test_problem_lines_with_messages_fixes_and_masked_people(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["问题明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "工作表",
        "行号",
        "列",
        "问题",
        "如何修改",
        "处理结果",
        "姓名",
        "身份证号码",
    ]
    assert rows[1][:6] == (
        "（整个文件）",
        None,
        "",
        "模板中没有的列（已保留原样，不参与统计）（=SUM(A1:A9)）",
        "如非必要请删除该列",
        "整份文件",
    )
    assert rows[2] == (
        "就业帮扶台账",
        6,
        "身份证号码",
        "身份证号码校验位不正确",
        "请与身份证原件核对号码",
        "本行未入库",
        "欧***",
        "320706********" + PERSON_ID[-4:-1] + "0",
    )
    assert rows[3] == (
        "就业帮扶台账",
        9,
        "就业日期",
        "就业日期早于报告期，按补报接收",
        "无需处理（本行已接收）",
        "本行已入库（仅提示）",
        "'=" + "*" * (len(EVIL_NAME) - 1),
        "320706********" + PERSON_ID[-4:],
    )
    assert rows[4][:6] == (
        "技能培训",
        5,
        "结业人数",
        "人数关系不成立（应满足：结业后就业人数≤结业人数≤培训人数）（结业人数大于培训人数）",
        "请核对培训、结业、就业人数",
        "本行未入库",
    )
    assert rows[4][6:] == ("", "")
    assert len(rows) == 5


def test_no_personal_value_in_clear(workbook: Path) -> None:
    with zipfile.ZipFile(workbook) as archive:
        text = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    for value in ("欧阳测试", "点我", PERSON_ID, PERSON_ID[:-1] + "0"):
        assert value not in text


def test_hyperlink_text_is_a_string_never_a_formula(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    file_cell = book["概况"]["B3"]
    assert file_cell.data_type == "s"
    assert file_cell.value == "'" + EVIL_FILE
    assert file_cell.quotePrefix
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type in {"s", "n"}, cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (
                        cell.coordinate
                    )
    with zipfile.ZipFile(workbook) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张*", "张*"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_safe_text_guards_formula_starts_only(text: str | None, shown: str) -> None:
    assert safe_text(text) == shown


def test_held_back_return_says_so(tmp_path: Path) -> None:
    info = {
        **INFO,
        "held_back": True,
        "rows_accepted": 1,
        "rows_quarantined": 11,
        "file_name": "XH_2024-05.xlsx",
    }
    held = pl.concat(
        [
            issues(),
            pl.DataFrame(
                {
                    "return_id": ["r"],
                    "sheet": [None],
                    "row_number": [None],
                    "column_name": [None],
                    "reason_code": ["RETURN_HELD_BACK"],
                    "detail": ["共12行，其中11行有错误（超过50%）"],
                },
                schema=issues().schema,
            ),
        ]
    )
    path = write_feedback(tmp_path / "f.xlsx", info, held, None, load_reference())
    sheet = openpyxl.load_workbook(path)["概况"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=1, max_row=9, values_only=True)}
    assert values["整份报表暂不入库"].startswith("是")
    general = [row[1] for row in sheet.iter_rows(min_row=12, values_only=True) if row[0]]
    assert any(g.startswith("问题行比例过高") for g in general)


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    ref = load_reference()
    first = write_feedback(tmp_path / "a" / "f.xlsx", INFO, issues(), identity_rows(typed()), ref)
    second = write_feedback(tmp_path / "b" / "f.xlsx", INFO, issues(), identity_rows(typed()), ref)
    assert first.read_bytes() == second.read_bytes()
