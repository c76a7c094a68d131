"""The official blank return: cover from the registry, dropdowns, text-formatted ID columns."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from doorstep.template import write_template


def dropdowns(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, list[str]]:
    header = {c.column_letter: c.value for c in ws[2]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        out[header[col]] = dv.formula1.strip('"').split(",")
    return out


@pytest.fixture(scope="module")
def xh_template(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_template(tmp_path_factory.mktemp("tpl") / "XH_2024-06.xlsx", "XH", "2024-06")
    return openpyxl.load_workbook(path)


def test_template_cover_is_filled_from_the_registry(xh_template: openpyxl.Workbook) -> None:
    cover = {r[0]: r[1] for r in xh_template["填报信息"].iter_rows(values_only=True)}
    assert cover["服务站名称"] == "星化社区家门口就业服务站"
    assert cover["服务站编码"] == "XH"
    assert cover["所属街道(镇)"] == "新海街道"
    assert cover["报告期"] == "2024年6月"
    assert {"填报人", "联系电话", "填报日期"} <= cover.keys()


def test_template_has_all_sheets_and_instructions(xh_template: openpyxl.Workbook) -> None:
    assert xh_template.sheetnames == [
        "填报信息",
        "就业帮扶台账",
        "技能培训",
        "创业活动",
        "孵化企业",
        "零就业家庭",
        "填报说明",
    ]
    text = "\n".join(str(c.value) for c in xh_template["填报说明"]["A"] if c.value)
    assert "文本" in text and "3.20706E+17" in text


def test_template_dropdowns_offer_the_code_list_labels(xh_template: openpyxl.Workbook) -> None:
    placements = dropdowns(xh_template["就业帮扶台账"])
    assert placements["人员类别"] == [
        "低收入人口",
        "残疾人",
        "特困职工家庭成员",
        "零就业家庭成员",
        "大龄失业人员",
    ]
    assert placements["就业方式"] == [
        "单位就业",
        "自主创业",
        "灵活就业",
        "居家就业",
        "辅助性就业",
        "公益性岗位",
        "其他",
    ]
    assert placements["性别"] == ["男", "女"]
    assert placements["享受社保补贴"] == ["是", "否"]
    assert dropdowns(xh_template["技能培训"])["培训类型"] == [
        "就业技能培训",
        "创业培训",
        "岗位技能提升",
    ]
    assert dropdowns(xh_template["创业活动"])["活动类型"] == [
        "政策研读讲座",
        "创业培训班",
        "创业沙龙",
        "创业大赛",
        "其他",
    ]
    assert dropdowns(xh_template["零就业家庭"])["状态"] == ["未清零", "已清零"]


def test_template_id_and_phone_columns_are_text_for_500_rows(
    xh_template: openpyxl.Workbook,
) -> None:
    ws = xh_template["就业帮扶台账"]
    header = {c.value: c.column_letter for c in ws[2]}
    for col in ("身份证号码", "残疾人证号", "联系电话"):
        letter = header[col]
        assert ws[f"{letter}3"].number_format == "@"
        assert ws[f"{letter}502"].number_format == "@"
    assert ws[f"{header['姓名']}3"].number_format == "General"
    hh = xh_template["零就业家庭"]
    letter = {c.value: c.column_letter for c in hh[2]}["户主身份证号码"]
    assert hh[f"{letter}100"].number_format == "@"


def test_template_has_only_the_sheets_a_station_kind_reports(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "JH.xlsx", "JH", "2024年6月"))
    assert wb.sheetnames == ["填报信息", "就业帮扶台账", "技能培训", "零就业家庭", "填报说明"]


def test_template_is_byte_identical_for_the_same_station_month(tmp_path: Path) -> None:
    a = write_template(tmp_path / "a.xlsx", "NF", "2024-06").read_bytes()
    b = write_template(tmp_path / "b.xlsx", "NF", "2024-06").read_bytes()
    assert a == b


def test_template_rejects_unknown_station(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown station"):
        write_template(tmp_path / "x.xlsx", "ZZ", "2024-06")
