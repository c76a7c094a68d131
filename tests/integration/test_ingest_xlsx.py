"""Reading real xlsx workbooks as stations send them (returns.md §4 items 1–5, 7, 14).

Workbooks are built with xlsxwriter in tmp_path; the helpers here are shared by the
other test_ingest_* modules.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from stdnum.cn import ric
from xlsxwriter.utility import xl_cell_to_rowcol

from doorstep.ingest import ParsedReturn, read_return
from foundation.reference import load_reference
from foundation.settings import Settings
from tests.factories import synthetic_id

REF = load_reference()

PLACEMENT_HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "人员类别",
    "残疾人证号",
    "就业方式",
    "就业单位",
    "就业岗位",
    "就业日期",
    "月收入（元）",
    "享受社保补贴",
    "联系电话",
    "备注",
]
EMPTY_SHEETS: dict[str, list[list[Any]]] = {
    "技能培训": [
        [
            "培训项目",
            "培训类型",
            "开班日期",
            "结业日期",
            "培训人数",
            "结业人数",
            "结业后就业人数",
            "合作机构",
            "备注",
        ]
    ],
    "创业活动": [["活动名称", "活动类型", "活动日期", "参加人数", "地点"]],
    "孵化企业": [["企业名称", "统一社会信用代码", "入孵日期", "带动就业人数", "其中困难人员"]],
    "零就业家庭": [
        [
            "家庭编号",
            "户主姓名",
            "户主身份证号码",
            "家庭人口",
            "劳动力人数",
            "认定日期",
            "状态",
            "清零日期",
            "清零方式",
        ]
    ],
}


def cover_rows(
    code: str = "XH", period: Any = "2024年5月", name: str = "星化社区家门口就业服务站"
) -> list[list[Any]]:
    return [
        ["海州区家门口就业服务站月报"],
        [],
        ["服务站名称", name],
        ["服务站编码", code],
        ["所属街道(镇)", "新海街道"],
        ["报告期", period],
        ["填报人", "王某"],
    ]


PLACEMENT_FIELDS = list(REF.headers["placements"])  # same order as PLACEMENT_HEADER


def placement_row(n: int, **overrides: Any) -> list[Any]:
    """One data row; override cells by canonical field (`id_number=3.2e17`)."""
    values: dict[str, Any] = {
        "seq": n,
        "name": f"测试{n}",
        "gender": "男",
        "id_number": synthetic_id(n),
        "categories": "低保",
        "disability_cert": None,
        "channel": "单位就业",
        "employer": "某公司",
        "job": "操作工",
        "placed_on": "2024-05-06",
        "monthly_income": 1500,
        "si_subsidy": "是",
        "phone": "13800000000",
        "note": None,
    }
    values.update(overrides)
    return [values[f] for f in PLACEMENT_FIELDS]


def write_workbook(
    path: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None
) -> Path:
    """Cells: str → text (even `=…`), bool, int/float → NUMBER, date → date cell, None → empty."""
    wb = xlsxwriter.Workbook(str(path))
    date_format = wb.add_format({"num_format": "yyyy/m/d"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(i, j, value)
                elif isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(i, j, value)
                elif isinstance(value, (date, datetime)):
                    ws.write_datetime(i, j, value, date_format)
        for cell_range in (merges or {}).get(name, []):
            # A merged title keeps its text in the top-left cell only, as Excel does.
            row, col = xl_cell_to_rowcol(cell_range.split(":")[0])
            ws.merge_range(cell_range, rows[row][col] if col < len(rows[row]) else "")
    wb.close()
    return path


def standard_return(
    path: Path, placements: list[list[Any]], cover: list[list[Any]] | None = None
) -> Path:
    sheets = {"填报信息": cover or cover_rows(), "就业帮扶台账": placements, **EMPTY_SHEETS}
    return write_workbook(path, sheets)


def read(path: Path, settings: Settings | None = None) -> ParsedReturn:
    return read_return(path, REF, settings or Settings())


def codes(parsed: ParsedReturn) -> list[str]:
    return [i.reason_code for i in parsed.issues]


def test_synthetic_ids_have_a_valid_check_digit():
    assert all(ric.is_valid(synthetic_id(n)) for n in range(1, 50))


def test_clean_return_reads_every_sheet(tmp_path: Path):
    parsed = read(
        standard_return(tmp_path / "XH_2024-05.xlsx", [PLACEMENT_HEADER, placement_row(1)])
    )
    assert parsed.issues == [] and not parsed.rejected
    assert (parsed.station_code, parsed.period) == ("XH", "2024-05")
    assert set(parsed.sheets) == {"placements", "training", "events", "incubated", "households"}
    assert parsed.sheets["training"].height == 0
    placements = parsed.sheets["placements"]
    assert placements.select("seq", "name", "id_number", "monthly_income", "row_number").row(0) == (
        "1",
        "测试1",
        synthetic_id(1),
        "1500",
        2,
    )


def test_title_row_and_merged_cells(tmp_path: Path):
    title = "海州区家门口就业服务站就业帮扶台账（2024年5月）"
    rows = [
        [title],
        ["填报单位：星化社区", None, None, None, None, None, None, None, None, "单位：人、元"],
        [],
        PLACEMENT_HEADER,
        placement_row(1),
        [],
        [],
        placement_row(2),
        [None] * 14,
        ["填报单位（盖章）：", None, None, "填表人：", None, None, "审核人：", None, "负责人："],
        placement_row(3),  # below the sign-off: not data
    ]
    path = write_workbook(
        tmp_path / "XH_2024-05.xlsx",
        {"填报信息": cover_rows(), "就业帮扶台账": rows, **EMPTY_SHEETS},
        merges={"就业帮扶台账": ["A1:N1"]},
    )
    parsed = read(path)
    assert parsed.issues == []
    placements = parsed.sheets["placements"]
    assert placements["row_number"].to_list() == [5, 8]
    assert placements["name"].to_list() == ["测试1", "测试2"]


def test_traditional_headers_with_pinyin_annotations(tmp_path: Path):
    header = [
        "序號",
        "姓名",
        "性別",
        "身份證號碼",
        "人員類(lèi)別",
        "就業(yè)方式",
        "就業單位",
        "就業(yè)日期",
        "月收入（元）",
    ]
    row = [1, "测试1", "女", synthetic_id(2), "殘疾人", "靈活就業", "某店", "2024-05-06", 2000]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", [["標題"], header, row]))
    assert parsed.issues == []
    placements = parsed.sheets["placements"]
    assert placements.select(
        "categories", "channel", "employer", "placed_on", "monthly_income"
    ).row(0) == (
        "殘疾人",
        "靈活就業",
        "某店",
        "2024-05-06",
        "2000",
    )


def test_header_variants_spaces_line_breaks_brackets_and_synonyms(tmp_path: Path):
    header = [
        "姓 名",
        "公民身份号码",
        "人员\n类别",
        "就业形式",
        "就业时间",
        "月工资【元】",
        "手机号码",
    ]
    row = ["测试1", synthetic_id(3), "低保", "单位就业", "2024-05-07", 1800, "13900000000"]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", [header, row]))
    assert parsed.issues == []
    assert parsed.sheets["placements"].select("name", "id_number", "monthly_income", "phone").row(
        0
    ) == (
        "测试1",
        synthetic_id(3),
        "1800",
        "13900000000",
    )


def test_reordered_columns_and_extra_column_kept_in_extra(tmp_path: Path):
    header = ["就业日期", "就业方式", "微信号", "人员类别", "身份证号", "姓名"]
    row = ["2024-05-08", "灵活就业", "wx_01", "大龄", synthetic_id(4), "测试4"]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", [header, row]))
    assert codes(parsed) == ["COLUMN_UNKNOWN"]
    assert parsed.issues[0].column_name == "微信号" and parsed.issues[0].sheet == "placements"
    placements = parsed.sheets["placements"]
    assert placements.select("name", "id_number", "placed_on").row(0) == (
        "测试4",
        synthetic_id(4),
        "2024-05-08",
    )
    assert json.loads(placements["extra"][0]) == {"微信号": "wx_01"}
    assert not parsed.rejected


def test_missing_required_column_names_it_and_rejects_the_return(tmp_path: Path):
    header = [h for h in PLACEMENT_HEADER if h != "身份证号码"]
    row = [v for h, v in zip(PLACEMENT_HEADER, placement_row(1), strict=True) if h != "身份证号码"]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", [header, row]))
    missing = [i for i in parsed.issues if i.reason_code == "COLUMN_MISSING"]
    assert [(i.sheet, i.column_name) for i in missing] == [("placements", "身份证号码")]
    assert parsed.rejected  # returns.md §6: rejected as a whole
    assert parsed.sheets["placements"].height == 1  # still read, to be counted as refused
    assert "training" in parsed.sheets


def test_id_number_typed_as_number_is_flagged(tmp_path: Path):
    lost = 3.20706199001011e17  # what Excel keeps of 320706199001011234 typed as a number
    rows = [PLACEMENT_HEADER, placement_row(1, id_number=lost), placement_row(2)]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", rows))
    placements = parsed.sheets["placements"]
    assert placements["id_number"].to_list() == ["320706199001011000", synthetic_id(2)]
    assert placements["id_number_was_number"].to_list() == [True, False]
    assert placements["disability_cert_was_number"].to_list() == [False, False]


def test_digit_string_id_is_not_flagged_as_number(tmp_path: Path):
    rows = [PLACEMENT_HEADER, placement_row(1, id_number="320706199001011000")]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", rows))
    assert parsed.sheets["placements"]["id_number_was_number"].to_list() == [False]


def test_excel_date_cells_become_iso_text_and_text_dates_stay_text(tmp_path: Path):
    rows = [
        PLACEMENT_HEADER,
        placement_row(1, placed_on=date(2024, 5, 31)),
        placement_row(2, placed_on="2024/5/31"),
        placement_row(3, placed_on="2024年5月31日"),
        placement_row(4, placed_on=20240531),
    ]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", rows))
    assert parsed.sheets["placements"]["placed_on"].to_list() == [
        "2024-05-31",
        "2024/5/31",
        "2024年5月31日",
        "20240531",
    ]


def test_numbers_are_rendered_without_loss(tmp_path: Path):
    rows = [
        PLACEMENT_HEADER,
        placement_row(1, monthly_income=1500.0),
        placement_row(2, monthly_income=1500.75),
        placement_row(3, monthly_income=0.1),
        placement_row(4, monthly_income="1,500"),
    ]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", rows))
    assert parsed.sheets["placements"]["monthly_income"].to_list() == [
        "1500",
        "1500.75",
        "0.1",
        "1,500",
    ]


def test_formula_like_strings_are_preserved_as_text(tmp_path: Path):
    rows = [
        PLACEMENT_HEADER,
        placement_row(1, name='=HYPERLINK("http://x","张")', note="+86"),
        placement_row(2, name="@某", note="-1"),
    ]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", rows))
    placements = parsed.sheets["placements"]
    assert placements["name"].to_list() == ['=HYPERLINK("http://x","张")', "@某"]
    assert placements["note"].to_list() == ["+86", "-1"]


def test_sheet_missing_for_the_station_kind_is_a_sheet_issue(tmp_path: Path):
    sheets = {
        "填报信息": cover_rows(),
        "就业帮扶台账": [PLACEMENT_HEADER, placement_row(1)],
        **EMPTY_SHEETS,
    }
    del sheets["零就业家庭"]
    parsed = read(write_workbook(tmp_path / "XH_2024-05.xlsx", sheets))
    assert [(i.reason_code, i.sheet) for i in parsed.issues] == [("SHEET_MISSING", "households")]
    assert parsed.rejected and parsed.sheets["placements"].height == 1


def test_sheet_not_required_for_a_training_school_is_not_missing(tmp_path: Path):
    sheets = {
        "填报信息": cover_rows(code="NF", name="纳福商学院"),
        "就业帮扶台账": [PLACEMENT_HEADER],
        "技能培训": EMPTY_SHEETS["技能培训"],
        "创业活动": EMPTY_SHEETS["创业活动"],
    }
    parsed = read(write_workbook(tmp_path / "NF_2024-05.xlsx", sheets))
    assert parsed.issues == [] and not parsed.rejected


def test_traditional_sheet_names_and_odd_sheet_name_recognised_by_headers(tmp_path: Path):
    sheets = {
        "填報信息": cover_rows(),
        "Sheet1": [["台账"], PLACEMENT_HEADER, placement_row(1)],
        **EMPTY_SHEETS,
    }
    parsed = read(write_workbook(tmp_path / "XH_2024-05.xlsx", sheets))
    assert parsed.issues == []
    assert parsed.sheets["placements"]["row_number"].to_list() == [3]


def test_cover_period_typed_as_an_excel_date(tmp_path: Path):
    parsed = read(
        standard_return(
            tmp_path / "XH_2024-05.xlsx", [PLACEMENT_HEADER], cover_rows(period=date(2024, 5, 1))
        )
    )
    assert (parsed.period, parsed.issues) == ("2024-05", [])


def test_manifest_fields(tmp_path: Path):
    import hashlib
    import os

    path = standard_return(tmp_path / "XH_2024-05.xlsx", [PLACEMENT_HEADER])
    os.utime(path, (1717200000, 1717200000))
    parsed = read(path)
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parsed.size == path.stat().st_size
    # The mtime is kept for information; the received time is the ingest step's to stamp.
    assert parsed.mtime == datetime(2024, 6, 1, 0, 0)
    assert parsed.file_name == "XH_2024-05.xlsx" and parsed.path == path


def test_single_sheet_workbook_with_cover_under_an_odd_name(tmp_path: Path):
    sheets = {
        "Sheet1": cover_rows(),
        "Sheet2": [PLACEMENT_HEADER, placement_row(1)],
        **EMPTY_SHEETS,
    }
    parsed = read(write_workbook(tmp_path / "XH_2024-05.xlsx", sheets))
    assert parsed.issues == [] and parsed.station_code == "XH"
    assert parsed.sheets["placements"].height == 1


def test_table_starting_at_b3_keeps_excel_row_numbers(tmp_path: Path):
    shifted = [[], [], [None, "就业帮扶台账"], [None, *PLACEMENT_HEADER], [None, *placement_row(1)]]
    shifted += [[], [None, *placement_row(2, si_subsidy=True)]]
    parsed = read(standard_return(tmp_path / "XH_2024-05.xlsx", shifted))
    placements = parsed.sheets["placements"]
    assert placements["row_number"].to_list() == [5, 7]
    assert placements["si_subsidy"].to_list() == ["是", "TRUE"]  # a BOOLEAN cell as Excel shows it


def test_two_row_header_with_merged_cells(tmp_path: Path):
    path = tmp_path / "XH_2024-05.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in {"填报信息": cover_rows(), **EMPTY_SHEETS}.items():
        sheet = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value)
    ws = wb.add_worksheet("就业帮扶台账")
    ws.merge_range("A1:G1", "海州区家门口就业服务站就业帮扶台账")
    for col, label in enumerate(["序号", "姓名", "身份证号码", "人员类别"]):
        ws.merge_range(1, col, 2, col, label)  # merged down over both header rows
    ws.merge_range("E2:G2", "就业情况")
    ws.write_row("E3", ["就业方式", "就业单位", "就业日期"])
    ws.write_row("A4", ["1", "测试1", synthetic_id(1), "低保", "单位就业", "某公司", "2024-05-02"])
    wb.close()
    parsed = read(path)
    assert parsed.issues == []
    assert parsed.sheets["placements"].select("name", "employer", "row_number").rows() == [
        ("测试1", "某公司", 4)
    ]


def test_chart_sheet_beside_the_data_does_not_disturb(tmp_path: Path):
    path = tmp_path / "XH_2024-05.xlsx"
    # households is missing, so the leftover chart sheet gets looked at (and loads empty).
    sheets = {
        "填报信息": cover_rows(),
        "就业帮扶台账": [PLACEMENT_HEADER, placement_row(1)],
        **EMPTY_SHEETS,
    }
    del sheets["零就业家庭"]
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=就业帮扶台账!$K$2:$K$2"})
    wb.add_chartsheet("图表").set_chart(chart)
    wb.close()
    parsed = read(path)
    assert [(i.reason_code, i.sheet) for i in parsed.issues] == [("SHEET_MISSING", "households")]
    assert parsed.sheets["placements"].height == 1
