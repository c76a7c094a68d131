"""Header mapping and the pure grid → frame logic of ingest (no files)."""

from __future__ import annotations

import json

import pytest

from doorstep.ingest.cover import cover_fields, cover_period, file_name_parts, resolve_cover
from doorstep.ingest.grid import Grid, find_header_row, row_kind, sheet_frame
from doorstep.ingest.sheets import sheet_key_by_content, sheet_key_by_name
from foundation.reference import load_reference
from transforms.headers import header_key, map_headers, match_header

REF = load_reference()
REASONS = set(REF.reasons)

PLACEMENT_HEADER = ["序号", "姓名", "性别", "身份证号码", "人员类别", "就业方式", "就业日期"]


@pytest.mark.parametrize(
    ("sheet", "written", "field"),
    [
        ("placements", "身份证号码", "id_number"),
        ("placements", "身份证\n号码", "id_number"),
        ("placements", " 身份证 号码 ", "id_number"),
        ("placements", "身份证号", "id_number"),
        ("placements", "公民身份号码", "id_number"),
        ("placements", "证件号码", "id_number"),
        ("placements", "身份證號碼", "id_number"),
        ("placements", "人員類別", "categories"),
        ("placements", "人員類(lèi)別", "categories"),
        ("placements", "就業單位", "employer"),
        ("placements", "就業(yè)單位", "employer"),
        ("placements", "月收入（元）", "monthly_income"),
        ("placements", "月收入【元】", "monthly_income"),
        ("placements", "月收入[元]", "monthly_income"),
        ("placements", "月收入", "monthly_income"),
        ("placements", "*姓名", "name"),
        ("placements", "ＩＤ", None),
        ("placements", "", None),
        ("placements", None, None),
        ("incubated", "带动就业人数（人）", "jobs"),
        ("households", "戶主身份證號碼", "head_id_number"),
        ("cover", "所属街道（镇）", "street"),
        ("cover", "服务站编码：", "station_code"),
        ("cover", "報告期", "period"),
    ],
)
def test_header_variants_map_to_canonical_fields(
    sheet: str, written: str | None, field: str | None
):
    assert match_header(sheet, written, REF) == field


def test_every_alias_in_the_registry_maps_to_its_own_field():
    for sheet, fields in REF.headers.items():
        for name, aliases in fields.items():
            for alias in aliases:
                assert match_header(sheet, alias, REF) == name, (sheet, alias)


def test_header_key_unifies_bracket_shapes():
    assert header_key("月收入（元）") == header_key("月收入【元】") == header_key("月收入(元)")


def test_reordered_columns_and_extra_column_are_mapped_by_position():
    mapping = map_headers(
        "placements", ["就业日期", "微信号", "姓名", "身份证号", "人员类别", "就业方式"], REF
    )
    assert mapping.fields == {
        0: "placed_on",
        2: "name",
        3: "id_number",
        4: "categories",
        5: "channel",
    }
    assert mapping.unknown == {1: "微信号"}
    assert mapping.missing == ()


def test_missing_required_column_is_listed():
    mapping = map_headers("placements", ["姓名", "人员类别", "就业方式", "就业日期"], REF)
    assert mapping.missing == ("id_number",)


def test_second_column_for_the_same_field_is_kept_as_unknown():
    mapping = map_headers("placements", ["身份证号码", "公民身份号码"], REF)
    assert mapping.fields == {0: "id_number"}
    assert mapping.unknown == {1: "公民身份号码"}
    assert mapping.duplicates == (1,)


def grid(rows: list[list[str | None]], numbers: list[list[bool]] | None = None) -> Grid:
    return Grid(rows, numbers, first_row=1)


def test_title_row_and_merged_cells_are_skipped_when_finding_the_header():
    rows = [
        ["海州区家门口就业服务站就业帮扶台账（2024年5月）", None, None],
        ["填报单位：星化社区", None, "报告期：2024年5月"],
        [None, None, None],
        PLACEMENT_HEADER,
        ["1", "甲", "男"],
    ]
    found = find_header_row("placements", grid(rows), REF)
    assert found is not None and found[0] == 3


def test_header_row_is_the_row_with_most_known_headers():
    rows = [["姓名", "备注"], PLACEMENT_HEADER]
    found = find_header_row("placements", grid(rows), REF)
    assert found is not None and found[0] == 1


def test_no_header_row_in_a_sheet_of_prose():
    assert find_header_row("placements", grid([["本表请于次月5日前报送"], ["谢谢"]]), REF) is None


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        ([None, "  ", None], "blank"),
        (["1", "甲"], "data"),
        (["填报单位（盖章）：", None, "填表人：", None, "审核人："], "end"),
        ([None, "填表人：王某", None], "end"),
        (["單位負責人："], "end"),
        (["注：人员类别可多选"], "end"),
        (["合计", None, None, "3"], "totals"),
        (["合计人数说明以外的姓名"], "data"),
    ],
)
def test_form_rows_are_told_from_data_rows(row: list[str | None], kind: str):
    assert row_kind(row) == kind


def test_sign_off_row_ends_the_table_and_blank_rows_are_dropped():
    rows = [
        ["标题", None, None, None, None, None, None],
        PLACEMENT_HEADER,
        ["1", "甲", "男", "x1", "低保", "单位就业", "2024-05-02"],
        [None, None, None, None, None, None, None],
        ["2", "乙", "女", "x2", "残疾人", "灵活就业", "2024-05-03"],
        ["填报单位（盖章）", None, None, "填表人", None, "审核人", None],
        ["3", "丙", "女", "x3", "残疾人", "灵活就业", "2024-05-03"],
    ]
    frame, issues = sheet_frame("placements", grid(rows), REF, "XH_2024-05.xlsx")
    assert issues == []
    assert frame is not None
    assert frame["name"].to_list() == ["甲", "乙"]
    assert frame["row_number"].to_list() == [3, 5]


def test_missing_required_column_names_the_column_and_keeps_the_rows_to_count():
    rows = [
        ["序号", "姓名", "性别", "人员类别", "就业方式", "就业日期"],
        ["1", "甲", "男", "低保", "单位就业", "2024-05-02"],
    ]
    frame, issues = sheet_frame("placements", grid(rows), REF, "f.xlsx")
    assert frame is not None and frame["name"].to_list() == ["甲"]
    assert frame["id_number"].to_list() == [None]
    assert [(i.reason_code, i.column_name, i.sheet) for i in issues] == [
        ("COLUMN_MISSING", "身份证号码", "placements")
    ]


def test_missing_column_of_a_sheet_without_rows_is_an_empty_sheet():
    rows = [["序号", "姓名", "性别", "人员类别", "就业方式", "就业日期"]]
    frame, issues = sheet_frame("placements", grid(rows), REF, "f.xlsx")
    assert frame is not None and frame.height == 0 and issues == []


def test_extra_column_is_kept_in_extra_json_and_reported_as_unknown():
    rows = [
        [*PLACEMENT_HEADER, "微信号"],
        ["1", "甲", "男", "x1", "低保", "单位就业", "2024-05-02", "wx_1"],
    ]
    frame, issues = sheet_frame("placements", grid(rows), REF, "f.xlsx")
    assert frame is not None
    assert json.loads(frame["extra"][0]) == {"微信号": "wx_1"}
    assert [(i.reason_code, i.column_name) for i in issues] == [("COLUMN_UNKNOWN", "微信号")]


def test_raw_frame_has_every_canonical_column_as_text_plus_flags():
    rows = [
        PLACEMENT_HEADER,
        ["1", "甲", "男", "320706199001011000", "低保", "单位就业", "2024-05-02"],
    ]
    numbers = [[False] * 7, [True, False, False, True, False, False, False]]
    frame, _ = sheet_frame("placements", grid(rows, numbers), REF, "f.xlsx")
    assert frame is not None
    assert set(REF.headers["placements"]) <= set(frame.columns)
    assert frame["employer"].to_list() == [None]  # absent column → null
    assert frame["id_number_was_number"].to_list() == [True]
    assert frame["disability_cert_was_number"].to_list() == [False]
    assert str(frame.schema["row_number"]) == "Int64"


def test_empty_template_sheet_gives_zero_rows_without_issues():
    frame, issues = sheet_frame(
        "events", grid([["活动名称", "活动类型", "活动日期", "参加人数", "地点"]]), REF, "f"
    )
    assert frame is not None and frame.height == 0 and issues == []


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("就业帮扶台账", "placements"),
        ("就業幫扶台賬", "placements"),
        ("帮扶台账(5月)", "placements"),
        ("填报信息", "cover"),
        ("零就业家庭台账", "households"),
        ("Sheet1", None),
    ],
)
def test_sheets_are_found_by_label_or_alias(name: str, key: str | None):
    assert sheet_key_by_name(name, REF) == key


def test_sheet_under_an_odd_name_is_recognised_by_its_headers():
    rows = [["标题"], PLACEMENT_HEADER]
    assert (
        sheet_key_by_content(grid(rows), ["placements", "training", "events"], REF) == "placements"
    )


def test_cover_key_value_cells_anywhere_in_the_first_rows():
    rows = [
        ["海州区家门口就业服务站月报"],
        [None, "服务站名称", None, "星化社区家门口就业服务站"],
        [None, "服务站编码：", "XH"],
        [None, "报告期", "2024年5月", "填报人", "王某"],
    ]
    assert cover_fields(grid(rows), REF) == {
        "station_name": "星化社区家门口就业服务站",
        "station_code": "XH",
        "period": "2024年5月",
        "reporter": "王某",
    }


def test_cover_as_a_header_row_with_values_below_and_inline_pairs():
    rows = [["服务站编码", "报告期"], ["WH", "2024-05"], ["填报人：李某"]]
    assert cover_fields(grid(rows), REF) == {
        "station_code": "WH",
        "period": "2024-05",
        "reporter": "李某",
    }


@pytest.mark.parametrize(
    ("text", "period"),
    [("2024年5月", "2024-05"), ("2024-05-01", "2024-05"), ("202405", "2024-05"), ("五月", None)],
)
def test_cover_period_forms(text: str, period: str | None):
    assert cover_period(text) == period


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("XH_2024-05.xlsx", ("XH", "2024-05")),
        ("XH_2024-05_更正.xlsx", ("XH", "2024-05")),
        ("xh_202405.xlsx", ("XH", "2024-05")),
        ("XH_2024-05_*.csv", ("XH", "2024-05")),
        ("星化社区5月报表.xlsx", None),
        ("XH_2024-13.xlsx", None),
    ],
)
def test_file_name_convention(name: str, parts: tuple[str, str] | None):
    assert file_name_parts(name) == parts


def cover_grid(code: str | None = "XH", period: str = "2024年5月", name: str | None = None) -> Grid:
    rows: list[list[str | None]] = [["报告期", period]]
    if code is not None:
        rows.append(["服务站编码", code])
    if name is not None:
        rows.append(["服务站名称", name])
    return grid(rows)


@pytest.mark.parametrize(
    ("cover", "file_name", "codes", "station", "period"),
    [
        (cover_grid(), "XH_2024-05.xlsx", [], "XH", "2024-05"),
        (cover_grid(), "星化5月.xlsx", [], "XH", "2024-05"),
        (cover_grid(code=None, name="西凤社区"), "报表.xlsx", [], "XF", "2024-05"),
        (cover_grid(code="ZZ"), "ZZ_2024-05.xlsx", ["STATION_UNKNOWN"], None, "2024-05"),
        (cover_grid(code=None, name="某某社区"), "a.xlsx", ["STATION_UNKNOWN"], None, "2024-05"),
        (cover_grid(), "WH_2024-05.xlsx", ["STATION_MISMATCH"], "XH", "2024-05"),
        (cover_grid(), "XH_2024-04.xlsx", ["PERIOD_MISMATCH"], "XH", "2024-05"),
        (cover_grid(period="五月份"), "XH_2024-05.xlsx", ["PERIOD_INVALID"], "XH", None),
        (
            cover_grid(code="NF", period="2023年6月"),
            "a.xlsx",
            ["PERIOD_BEFORE_OPENING"],
            "NF",
            "2023-06",
        ),
        (None, "XH_2024-05.xlsx", ["SHEET_MISSING"], None, None),
    ],
)
def test_cover_checks(
    cover: Grid | None, file_name: str, codes: list[str], station: str | None, period: str | None
):
    result = resolve_cover(cover, file_name, REF)
    assert [i.reason_code for i in result.issues] == codes
    assert (result.station_code, result.period) == (station, period)
    assert result.rejected is bool(codes)
    assert {i.reason_code for i in result.issues} <= REASONS


def test_cover_under_an_odd_sheet_name_is_recognised_by_its_keys():
    cover = grid([["服务站编码", "XH"], ["报告期", "2024年5月"]])
    assert sheet_key_by_content(cover, ["cover", "placements"], REF) == "cover"
    assert (
        sheet_key_by_content(grid([["说明"], ["请于5日前报送"]]), ["cover", "placements"], REF)
        is None
    )


def test_two_row_header_with_a_merged_group_label_is_read_as_one():
    rows = [
        ["序号", "姓名", "身份证号码", "人员类别", "就业情况", None, None],
        [None, None, None, None, "就业方式", "就业单位", "就业日期"],
        ["1", "甲", "x1", "低保", "单位就业", "某公司", "2024-05-02"],
    ]
    found = find_header_row("placements", grid(rows), REF)
    assert found is not None
    index, mapping = found
    assert index == 1
    assert set(mapping.fields.values()) == {
        "seq",
        "name",
        "id_number",
        "categories",
        "channel",
        "employer",
        "placed_on",
    }
    assert mapping.unknown == {} and mapping.missing == ()
    frame, issues = sheet_frame("placements", grid(rows), REF, "f.xlsx")
    assert issues == [] and frame is not None
    assert frame.select("name", "channel", "row_number").rows() == [("甲", "单位就业", 3)]


def test_column_number_row_under_the_header_is_not_data():
    rows = [
        PLACEMENT_HEADER,
        ["1", "2", "3", "4", "5", "6", "7"],
        ["1", "甲", "男", "x1", "低保", "单位就业", "2024-05-02"],
    ]
    frame, _ = sheet_frame("placements", grid(rows), REF, "f.xlsx")
    assert frame is not None and frame["row_number"].to_list() == [3]
