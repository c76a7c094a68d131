from datetime import date

import polars as pl
import pytest

from foundation.issues import ISSUE_SCHEMA
from foundation.reference import load_reference
from tests.factories import FIELD_TYPES, KEY_TYPES, RAW_MALE_ID, raw_frame, with_check_digit
from tests.factories import raw_placement as placement
from transforms.sheets import SHEET_FIELDS, parse_sheet

REF = load_reference()


MALE_ID = RAW_MALE_ID
FEMALE_ID = with_check_digit("32070619851231002")


def issues_of(issues: pl.DataFrame) -> list[tuple[int, str, str]]:
    return sorted(issues.select("row_number", "column_name", "reason_code").iter_rows())


PLACEMENT_DTYPES = {
    **KEY_TYPES,
    **FIELD_TYPES["placements"],
    "cert_ok": pl.Boolean,
}

OTHER_DTYPES = {
    sheet: FIELD_TYPES[sheet] for sheet in ("training", "events", "incubated", "households")
}


@pytest.mark.parametrize("rows", [[placement()], []], ids=["one_row", "empty_sheet"])
def test_placements_typed_dtypes_match_contract(rows):
    typed, issues = parse_sheet("placements", raw_frame("placements", rows), "2024-05", REF)
    assert dict(typed.schema) == PLACEMENT_DTYPES
    assert dict(issues.schema) == ISSUE_SCHEMA
    assert issues.is_empty()


@pytest.mark.parametrize("sheet", sorted(OTHER_DTYPES))
def test_other_sheets_typed_dtypes_match_contract(sheet):
    typed, _ = parse_sheet(sheet, raw_frame(sheet, [{}]), "2024-05", REF)
    assert dict(typed.schema) == KEY_TYPES | OTHER_DTYPES[sheet]


def test_clean_placement_is_read():
    row = placement(
        id_number=FEMALE_ID[:-1] + FEMALE_ID[-1].lower(),
        gender="女性",
        categories="殘疾人、低保户",
        disability_cert=FEMALE_ID + "23",
        channel="居家就業（手工外包）",
        placed_on="2024年5月20日",
        monthly_income="1,500元",
        si_subsidy="否",
        phone="138-1234-1234",
    )
    typed, issues = parse_sheet("placements", raw_frame("placements", [row]), "2024-05", REF)
    got = typed.row(0, named=True)
    assert issues.is_empty()
    assert got["id_number"] == FEMALE_ID
    assert got["id_raw"] == row["id_number"]
    assert got["gender"] == "女"
    assert got["categories"] == ["02", "01"]
    assert got["primary_category"] == "02"
    assert got["channel"] == "23"
    assert got["placed_on"] == date(2024, 5, 20)
    assert got["monthly_income"] == 1500.0
    assert got["si_subsidy"] is False
    assert got["phone"] == "13812341234"
    assert got["cert_ok"] is True


def test_id_typed_as_number_is_rejected():
    rows = [placement(id_number="320706199001011000"), placement(id_number=FEMALE_ID)]
    raw = raw_frame("placements", rows, id_number_was_number=[True, False])
    typed, issues = parse_sheet("placements", raw, "2024-05", REF)
    assert typed.height == 2
    assert typed.get_column("id_number").to_list() == [None, FEMALE_ID]
    assert issues_of(issues) == [(5, "身份证号码", "ID_TYPED_AS_NUMBER")]
    assert issues.get_column("detail").to_list() == [""]


def test_household_head_id_typed_as_number_is_rejected():
    row = {"household_id": "H1", "head_id_number": "320706199001011000", "status": "未清零"}
    raw = raw_frame("households", [row], head_id_number_was_number=[True])
    typed, issues = parse_sheet("households", raw, "2024-05", REF)
    assert typed.get_column("head_id_number").to_list() == [None]
    assert issues_of(issues) == [(5, "户主身份证号码", "ID_TYPED_AS_NUMBER")]


def test_absent_was_number_flag_counts_as_false():
    typed, issues = parse_sheet(
        "placements", raw_frame("placements", [placement()]), "2024-05", REF
    )
    assert typed.get_column("id_number").to_list() == [MALE_ID]
    assert issues.is_empty()


def test_invalid_id_is_kept_for_the_rule_checks():
    bad = MALE_ID[:-1] + ("0" if MALE_ID[-1] != "0" else "1")
    typed, issues = parse_sheet(
        "placements", raw_frame("placements", [placement(id_number=bad)]), "2024-05", REF
    )
    assert typed.get_column("id_number").to_list() == [bad]
    assert issues.is_empty()  # the check digit is GX's rule


@pytest.mark.parametrize(
    "field, text, column_name, reason, detail",
    [
        ("monthly_income", "1500多", "月收入(元)", "INCOME_INVALID", "“1500多”"),
        ("monthly_income", "约1500", "月收入(元)", "INCOME_INVALID", "“约1500”"),
        ("placed_on", "2024.13.1", "就业日期", "DATE_INVALID", "“2024.13.1”"),
        ("placed_on", "五月底", "就业日期", "DATE_INVALID", ""),
        ("gender", "未知", "性别", "GENDER_INVALID", ""),
        ("categories", "低保、外地人", "人员类别", "CATEGORY_INVALID", ""),
        ("categories", "低保、07", "人员类别", "CATEGORY_INVALID", "“07”"),
        ("channel", "打零工", "就业方式", "CHANNEL_INVALID", ""),
        ("si_subsidy", "不清楚", "享受社保补贴", "SUBSIDY_INVALID", ""),
        ("phone", "1381234", "联系电话", "PHONE_INVALID", ""),
        ("name", "  ", "姓名", "REQUIRED_MISSING", ""),
        ("id_number", None, "身份证号码", "REQUIRED_MISSING", ""),
        ("categories", "/", "人员类别", "REQUIRED_MISSING", ""),
        ("channel", None, "就业方式", "REQUIRED_MISSING", ""),
        ("placed_on", "", "就业日期", "REQUIRED_MISSING", ""),
    ],
)
def test_unreadable_placement_value_is_an_issue_and_the_row_stays(
    field, text, column_name, reason, detail
):
    raw = raw_frame("placements", [placement(), placement(**{field: text})])
    typed, issues = parse_sheet("placements", raw, "2024-05", REF)
    assert typed.height == 2
    assert typed.get_column(field).to_list()[1] is None
    assert issues.select(
        "return_id", "sheet", "row_number", "column_name", "reason_code", "detail"
    ).rows() == [("abc123", "placements", 6, column_name, reason, detail)]


@pytest.mark.parametrize(
    "field, personal",
    [
        ("monthly_income", FEMALE_ID[:-1] + "X"),  # columns shifted: an ID in the income column
        ("placed_on", "13812341234"),  # a phone number in the date column
        ("placed_on", "王小明"),  # a name in the date column
        ("phone", "1381234123"),
        ("gender", "李四"),
    ],
)
def test_issue_detail_never_repeats_personal_values(field, personal):
    _, issues = parse_sheet(
        "placements", raw_frame("placements", [placement(**{field: personal})]), "2024-05", REF
    )
    assert issues.height == 1
    assert personal not in issues.get_column("detail").item()
    assert issues.get_column("detail").item() == ""


def test_optional_blank_and_placeholder_cells_are_not_issues():
    row = placement(monthly_income="/", si_subsidy=None, phone="—", disability_cert="无", note="无")
    typed, issues = parse_sheet("placements", raw_frame("placements", [row]), "2024-05", REF)
    got = typed.row(0, named=True)
    assert issues.is_empty()
    assert (got["monthly_income"], got["si_subsidy"], got["phone"], got["disability_cert"]) == (
        None,
    ) * 4
    assert got["note"] == "无"
    assert got["cert_ok"] is None


def test_certificate_of_wrong_shape_is_kept_with_cert_ok_false():
    row = placement(categories="残疾人", disability_cert=MALE_ID)
    typed, issues = parse_sheet("placements", raw_frame("placements", [row]), "2024-05", REF)
    got = typed.row(0, named=True)
    assert issues.is_empty()  # CERT_BAD_FORMAT is a GX rule on cert_ok
    assert got["cert_ok"] is False


def test_training_sheet_forms():
    rows = [
        {
            "project": "穿戴甲",
            "training_type": "就業技能培訓",
            "start_on": "2024/5/6",
            "end_on": "45443",
            "trainees": "30人",
            "completed": "28",
            "employed_after": "20.0",
            "partner": "某学校",
        },
        {
            "project": "直播",
            "training_type": "直播培训",
            "trainees": "30余",
            "completed": "",
            "employed_after": "1",
        },
    ]
    typed, issues = parse_sheet("training", raw_frame("training", rows), "2024-05", REF)
    first = typed.row(0, named=True)
    assert (first["training_type"], first["start_on"], first["end_on"]) == (
        "就业技能培训",
        date(2024, 5, 6),
        date(2024, 5, 31),
    )
    assert (first["trainees"], first["completed"], first["employed_after"]) == (30, 28, 20)
    assert issues_of(issues) == [
        (6, "培训人数", "COUNT_INVALID"),
        (6, "培训类型", "TYPE_INVALID"),
        (6, "结业人数", "REQUIRED_MISSING"),
    ]


def test_events_sheet_forms():
    rows = [
        {
            "event_name": "政策宣讲",
            "event_type": "E1",
            "held_on": "20240518",
            "attendees": "45",
            "venue": "社区",
        },
        {
            "event_name": "沙龙",
            "event_type": "創業沙龍",
            "held_on": "2024年5月",
            "attendees": "四十",
        },
    ]
    typed, issues = parse_sheet("events", raw_frame("events", rows), "2024-05", REF)
    assert typed.get_column("event_type").to_list() == ["政策研读讲座", "创业沙龙"]
    assert typed.get_column("held_on").to_list() == [date(2024, 5, 18), None]
    assert issues_of(issues) == [(6, "参加人数", "COUNT_INVALID"), (6, "活动日期", "DATE_INVALID")]


def test_incubated_sheet_forms():
    rows = [
        {
            "company": "江苏财八斗电子商务有限公司",
            "credit_code": " 91320706mа1xxxxxx ".replace("а", "a"),
            "incubated_on": "2023-03-01",
            "jobs": "12",
            "hardship_jobs": "10多",
        }
    ]
    typed, issues = parse_sheet("incubated", raw_frame("incubated", rows), "2024-05", REF)
    assert typed.get_column("credit_code").to_list() == ["91320706MA1XXXXXX"]
    assert typed.get_column("jobs").to_list() == [12]
    assert issues_of(issues) == [(5, "其中困难人员", "COUNT_INVALID")]
    assert issues.get_column("detail").to_list() == ["“10多”"]


def test_households_sheet_forms():
    rows = [
        {
            "household_id": "H1",
            "head_name": "赵六",
            "head_id_number": MALE_ID.lower(),
            "members": "3",
            "labour": "2",
            "identified_on": "2024-03-02",
            "status": "已清零",
            "cleared_on": "2024-05-08",
            "cleared_channel": "公益性岗位",
        },
        {
            "household_id": "H2",
            "head_id_number": FEMALE_ID,
            "status": "未清零",
            "cleared_on": "/",
            "cleared_channel": "-",
        },
        {
            "household_id": "H3",
            "head_id_number": FEMALE_ID,
            "status": "清零中",
            "cleared_channel": "托底",
        },
    ]
    typed, issues = parse_sheet("households", raw_frame("households", rows), "2024-05", REF)
    assert typed.get_column("head_id_number").to_list() == [MALE_ID, FEMALE_ID, FEMALE_ID]
    assert typed.get_column("status").to_list() == ["已清零", "未清零", None]
    assert typed.get_column("cleared_channel").to_list() == ["30", None, None]
    assert typed.get_column("cleared_on").to_list() == [date(2024, 5, 8), None, None]
    assert issues_of(issues) == [
        (7, "清零方式", "CHANNEL_INVALID"),
        (7, "状态", "HOUSEHOLD_STATUS_INVALID"),
    ]


def test_all_issue_reason_codes_are_in_the_reason_list():
    reasons: set[str] = set()
    for sheet in SHEET_FIELDS:
        messy = {name: "x" for name in REF.headers[sheet]} | {REF.required[sheet][0]: None}
        flags = {"id_number_was_number": [True]} if sheet == "placements" else {}
        _, issues = parse_sheet(sheet, raw_frame(sheet, [messy], **flags), "2024-05", REF)
        reasons |= set(issues.get_column("reason_code"))
    assert reasons == {
        "REQUIRED_MISSING",
        "ID_TYPED_AS_NUMBER",
        "GENDER_INVALID",
        "CATEGORY_INVALID",
        "CHANNEL_INVALID",
        "DATE_INVALID",
        "INCOME_INVALID",
        "SUBSIDY_INVALID",
        "PHONE_INVALID",
        "COUNT_INVALID",
        "TYPE_INVALID",
        "HOUSEHOLD_STATUS_INVALID",
    }
    assert reasons <= set(REF.reasons)


def test_column_names_are_the_canonical_headers():
    for sheet, fields in SHEET_FIELDS.items():
        for field in fields:
            assert REF.headers[sheet][field.name][0]


def test_entirely_null_optional_column_is_fine():
    raw = raw_frame("placements", [placement(), placement()]).with_columns(
        note=pl.lit(None, dtype=pl.String)
    )
    typed, issues = parse_sheet("placements", raw, "2024-05", REF)
    assert typed.get_column("note").null_count() == 2
    assert issues.is_empty()


def test_reference_may_be_passed_third():
    raw = raw_frame("placements", [placement(monthly_income="1500多")])
    typed, issues = parse_sheet("placements", raw, REF)
    assert typed.height == 1
    assert issues_of(issues) == [(5, "月收入(元)", "INCOME_INVALID")]


def test_cover_is_not_a_typed_sheet():
    with pytest.raises(ValueError, match="cover"):
        parse_sheet("cover", pl.DataFrame(), "2024-05", REF)


def test_disability_cert_typed_as_number_is_kept_but_not_ok():
    row = placement(
        id_number=FEMALE_ID, categories="残疾人", disability_cert="32070619851231000000"
    )
    raw = raw_frame("placements", [row, placement()], disability_cert_was_number=[True, False])
    typed, issues = parse_sheet("placements", raw, "2024-05", REF)
    got = typed.select("disability_cert", "cert_ok").rows()
    assert got == [("32070619851231000000", False), (None, None)]
    assert issues.is_empty()  # not missing: GX reports CERT_BAD_FORMAT from cert_ok


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_full_width_id_and_phone_are_normalised():
    row = placement(
        id_number=full_width(MALE_ID), phone=full_width("13812341234"), monthly_income="１５００"
    )
    typed, issues = parse_sheet("placements", raw_frame("placements", [row]), "2024-05", REF)
    got = typed.row(0, named=True)
    assert (got["id_number"], got["phone"], got["monthly_income"]) == (
        MALE_ID,
        "13812341234",
        1500.0,
    )
    assert got["id_raw"] == full_width(MALE_ID)
    assert issues.is_empty()
