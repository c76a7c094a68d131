"""write_return_workbook: the layout stations receive, and cell types that survive Excel."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl

from doorstep.returns_xlsx import write_return_workbook

COVER = {"station_name": "星化社区家门口就业服务站", "station_code": "XH", "period": "2024年5月"}
ROW = {
    "seq": 1,
    "name": '=HYPERLINK("http://x","y")',
    "gender": "男",
    "id_number": "320706199001011234",
    "placed_on": date(2024, 5, 31),
    "monthly_income": 1500,
    "phone": "13812345678",
}


def test_title_row_merged_header_data_and_sign_off(tmp_path: Path) -> None:
    path = write_return_workbook(tmp_path / "r.xlsx", COVER, {"placements": [ROW]})
    ws = openpyxl.load_workbook(path)["就业帮扶台账"]
    assert ws["A1"].value == "海州区家门口就业服务站就业帮扶台账（2024年5月）"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:N1"]
    assert (
        ws["A2"].value == "序号"
        and ws["D2"].value == "身份证号码"
        and ws["K2"].value == "月收入(元)"
    )
    assert ws["A3"].value == 1
    assert str(ws["A5"].value).startswith("填报单位(盖章)")


def test_id_and_phone_are_text_cells_and_dates_are_real_dates(tmp_path: Path) -> None:
    path = write_return_workbook(tmp_path / "r.xlsx", COVER, {"placements": [ROW]})
    ws = openpyxl.load_workbook(path)["就业帮扶台账"]
    assert ws["D3"].value == "320706199001011234" and ws["D3"].number_format == "@"
    assert ws["M3"].value == "13812345678" and ws["M3"].number_format == "@"
    assert ws["J3"].value == datetime(2024, 5, 31) and ws["J3"].is_date
    assert ws["K3"].value == 1500


def test_formula_like_text_is_written_as_a_string_not_a_formula(tmp_path: Path) -> None:
    path = write_return_workbook(tmp_path / "r.xlsx", COVER, {"placements": [ROW]})
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml
    assert re.search(r'<c r="B3"[^>]*t="s"', xml)


def test_cover_keys_in_column_a_values_in_column_b(tmp_path: Path) -> None:
    path = write_return_workbook(tmp_path / "r.xlsx", COVER, {})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填报信息"]
    rows = list(wb["填报信息"].iter_rows(values_only=True))
    assert rows == [
        ("服务站名称", "星化社区家门口就业服务站"),
        ("服务站编码", "XH"),
        ("报告期", "2024年5月"),
    ]


def test_plain_table_without_title_rows(tmp_path: Path) -> None:
    path = write_return_workbook(tmp_path / "r.xlsx", COVER, {"events": []}, title_rows=False)
    ws = openpyxl.load_workbook(path)["创业活动"]
    assert [c.value for c in ws[1]] == ["活动名称", "活动类型", "活动日期", "参加人数", "地点"]
    assert ws.max_row == 1


def test_columns_option_reorders_drops_and_adds_columns(tmp_path: Path) -> None:
    row = dict(ROW, 回访情况="已回访")
    path = write_return_workbook(
        tmp_path / "r.xlsx",
        COVER,
        {"placements": [row]},
        columns={"placements": ["id_number", "name", "回访情况"]},
        header_labels={"placements": {"id_number": "身份證\n號碼"}},
    )
    ws = openpyxl.load_workbook(path)["就业帮扶台账"]
    assert [c.value for c in ws[2]] == ["身份證\n號碼", "姓名", "回访情况"]
    assert [c.value for c in ws[3]] == [
        "320706199001011234",
        '=HYPERLINK("http://x","y")',
        "已回访",
    ]
