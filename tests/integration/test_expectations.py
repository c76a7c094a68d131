"""GX suites on typed frames (Contract 2 built by hand), with a real file-backed GX context.

One GX context for the whole module (importing and initialising GX is slow): every
rule case of a sheet runs in one validation, as it would for one night's returns.
"""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from stdnum.cn import uscc

from expectations import decide, merge_issues, validate_sheet
from expectations.runner import build_data_docs
from expectations.suites import build_suite, rules
from foundation.reference import load_reference
from tests.factories import FIELD_TYPES, KEY_TYPES, synthetic_id

pytestmark = pytest.mark.integration

PERIOD = "2024-05"


def synthetic_uscc(body: str = "91320706MA1XYW123") -> str:
    return body + uscc.calc_check_digit(body)


ID_MALE = synthetic_id(seq=11)
ID_FEMALE = synthetic_id(seq=12)
ID_BAD_CHECK = ID_MALE[:-1] + ("0" if ID_MALE[-1] != "0" else "1")
ID_BAD_BIRTH = synthetic_id(birth="19900230", seq=13)
CERT_OK = ID_MALE + "12"

BASE: dict[str, dict[str, Any]] = {
    "placements": {
        "name": "测试甲",
        "gender": "男",
        "id_number": ID_MALE,
        "id_raw": ID_MALE,
        "categories": ["01"],
        "primary_category": "01",
        "disability_cert": None,
        "channel": "10",
        "employer": "连云港某某有限公司",
        "job": "包装工",
        "placed_on": date(2024, 5, 10),
        "monthly_income": 2500.0,
        "si_subsidy": True,
        "phone": "13900001111",
        "note": None,
    },
    "training": {
        "project": "穿戴甲制作",
        "training_type": "就业技能培训",
        "start_on": date(2024, 5, 1),
        "end_on": date(2024, 5, 20),
        "trainees": 30,
        "completed": 28,
        "employed_after": 20,
        "partner": "纳福商学院",
        "note": None,
    },
    "events": {
        "event_name": "创业政策宣讲",
        "event_type": "政策研读讲座",
        "held_on": date(2024, 5, 15),
        "attendees": 40,
        "venue": "星化社区",
    },
    "incubated": {
        "company": "江苏某某电子商务有限公司",
        "credit_code": synthetic_uscc(),
        "incubated_on": date(2023, 9, 1),
        "jobs": 12,
        "hardship_jobs": 5,
    },
    "households": {
        "household_id": "XH-2024-001",
        "head_name": "测试乙",
        "head_id_number": ID_FEMALE,
        "members": 3,
        "labour": 2,
        "identified_on": date(2024, 5, 2),
        "status": "已清零",
        "cleared_on": date(2024, 5, 20),
        "cleared_channel": "22",
    },
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    sheet: KEY_TYPES | FIELD_TYPES[sheet] for sheet in BASE
}


def typed_rows(sheet: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Contract 2 typed frame: base row per sheet with the given overrides."""
    full = []
    for i, overrides in enumerate(rows):
        row = {
            "return_id": "r",
            "station_code": "XH",
            "period": PERIOD,
            "row_number": 4 + i,
            **BASE[sheet],
        }
        row.update(overrides)
        full.append(row)
    return pl.DataFrame(full, schema=SCHEMAS[sheet])


def distinct_people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row its own person (ID and matching gender) so no row is a duplicate."""
    out = []
    for i, overrides in enumerate(rows):
        person = synthetic_id(seq=100 + i)
        out.append(
            {"id_number": person, "id_raw": person, "gender": "男" if i % 2 else "女", **overrides}
        )
    return out


# (case id, sheet, overrides, expected {(column, reason)} on that row; empty = no issue at all)
CASES: list[tuple[str, str, dict[str, Any], set[tuple[str, str]]]] = [
    ("placement_clean", "placements", {}, set()),
    ("name_missing", "placements", {"name": None}, {("姓名", "REQUIRED_MISSING")}),
    (
        "id_missing",
        "placements",
        {"id_number": None, "id_raw": None},
        {("身份证号码", "REQUIRED_MISSING")},
    ),
    # The parser could not read it and has said so (e.g. ID_TYPED_AS_NUMBER): no second issue.
    (
        "id_unreadable_left_to_parser",
        "placements",
        {"id_number": None, "id_raw": "3.20706E+17"},
        set(),
    ),
    (
        "id_17_chars",
        "placements",
        {"id_number": ID_MALE[:17], "id_raw": ID_MALE[:17]},
        {("身份证号码", "ID_BAD_LENGTH")},
    ),
    (
        "id_bad_check_digit",
        "placements",
        {"id_number": ID_BAD_CHECK, "id_raw": ID_BAD_CHECK},
        {("身份证号码", "ID_BAD_CHECKSUM")},
    ),
    (
        "id_no_such_birthdate",
        "placements",
        {"id_number": ID_BAD_BIRTH, "id_raw": ID_BAD_BIRTH},
        {("身份证号码", "ID_BAD_BIRTHDATE")},
    ),
    (
        "female_id",
        "placements",
        {"gender": "女", "id_number": ID_FEMALE, "id_raw": ID_FEMALE},
        set(),
    ),
    ("gender_disagrees_with_id", "placements", {"gender": "女"}, {("性别", "GENDER_MISMATCH")}),
    (
        "gender_not_male_or_female",
        "placements",
        {"gender": "未知"},
        {("性别", "GENDER_INVALID"), ("性别", "GENDER_MISMATCH")},
    ),
    ("categories_empty", "placements", {"categories": []}, {("人员类别", "REQUIRED_MISSING")}),
    (
        "category_not_in_list",
        "placements",
        {"categories": ["01", "07"]},
        {("人员类别", "CATEGORY_INVALID")},
    ),
    ("several_categories", "placements", {"categories": ["05", "01"]}, set()),
    (
        "disabled_without_certificate",
        "placements",
        {"categories": ["02"]},
        {("残疾人证号", "CERT_MISSING")},
    ),
    (
        "disabled_with_certificate",
        "placements",
        {"categories": ["02"], "disability_cert": CERT_OK},
        set(),
    ),
    (
        "certificate_19_chars",
        "placements",
        {"categories": ["02"], "disability_cert": ID_MALE + "1"},
        {("残疾人证号", "CERT_BAD_FORMAT")},
    ),
    (
        "certificate_of_another_id",
        "placements",
        {"categories": ["02"], "disability_cert": ID_FEMALE + "12"},
        {("残疾人证号", "CERT_BAD_FORMAT")},
    ),
    (
        "certificate_grade_5",
        "placements",
        {"categories": ["02"], "disability_cert": ID_MALE + "15"},
        {("残疾人证号", "CERT_BAD_FORMAT")},
    ),
    ("channel_missing", "placements", {"channel": None}, {("就业方式", "REQUIRED_MISSING")}),
    ("channel_not_in_list", "placements", {"channel": "77"}, {("就业方式", "CHANNEL_INVALID")}),
    ("placed_first_day", "placements", {"placed_on": date(2024, 5, 1)}, set()),
    ("placed_last_day", "placements", {"placed_on": date(2024, 5, 31)}, set()),
    (
        "placed_before_period_is_late_report",
        "placements",
        {"placed_on": date(2024, 4, 30)},
        {("就业日期", "PLACED_LATE_REPORT")},
    ),
    (
        "placed_after_period",
        "placements",
        {"placed_on": date(2024, 6, 1)},
        {("就业日期", "PLACED_AFTER_PERIOD")},
    ),
    ("placed_on_missing", "placements", {"placed_on": None}, {("就业日期", "REQUIRED_MISSING")}),
    ("income_zero", "placements", {"monthly_income": 0.0}, {("月收入(元)", "INCOME_OUT_OF_RANGE")}),
    (
        "income_over_50000",
        "placements",
        {"monthly_income": 50000.5},
        {("月收入(元)", "INCOME_OUT_OF_RANGE")},
    ),
    ("income_50000", "placements", {"monthly_income": 50000.0}, set()),
    ("phone_not_a_number", "placements", {"phone": "1390000"}, {("联系电话", "PHONE_INVALID")}),
    ("phone_landline", "placements", {"phone": "0518-85801234"}, set()),
    ("training_clean", "training", {}, set()),
    (
        "training_counts_equal",
        "training",
        {"trainees": 10, "completed": 10, "employed_after": 10},
        set(),
    ),
    (
        "training_type_not_in_list",
        "training",
        {"training_type": "兴趣班"},
        {("培训类型", "TYPE_INVALID")},
    ),
    ("completed_more_than_trainees", "training", {"completed": 31}, {("结业人数", "COUNT_ORDER")}),
    (
        "employed_more_than_completed",
        "training",
        {"employed_after": 29},
        {("结业后就业人数", "COUNT_ORDER")},
    ),
    (
        "negative_trainees",
        "training",
        {"trainees": -1, "completed": -1, "employed_after": -1},
        {
            ("trainees", "COUNT_INVALID"),
            ("completed", "COUNT_INVALID"),
            ("employed_after", "COUNT_INVALID"),
        },
    ),
    ("training_project_missing", "training", {"project": None}, {("培训项目", "REQUIRED_MISSING")}),
    ("event_clean", "events", {}, set()),
    ("event_last_day", "events", {"held_on": date(2024, 5, 31)}, set()),
    ("event_type_not_in_list", "events", {"event_type": "联欢会"}, {("活动类型", "TYPE_INVALID")}),
    ("event_negative_attendees", "events", {"attendees": -3}, {("attendees", "COUNT_INVALID")}),
    (
        "event_after_period",
        "events",
        {"held_on": date(2024, 6, 2)},
        {("活动日期", "DATE_AFTER_PERIOD")},
    ),
    ("incubated_clean", "incubated", {}, set()),
    (
        "credit_code_bad_check_character",
        "incubated",
        {"credit_code": synthetic_uscc()[:-1] + ("0" if synthetic_uscc()[-1] != "0" else "1")},
        {("统一社会信用代码", "USCC_INVALID")},
    ),
    (
        "credit_code_17_chars",
        "incubated",
        {"credit_code": synthetic_uscc()[:17]},
        {("统一社会信用代码", "USCC_INVALID")},
    ),
    (
        "hardship_jobs_exceed_jobs",
        "incubated",
        {"hardship_jobs": 13},
        {("其中困难人员", "HARDSHIP_JOBS_EXCEED")},
    ),
    ("hardship_jobs_equal_jobs", "incubated", {"hardship_jobs": 12}, set()),
    ("household_clean", "households", {}, set()),
    (
        "household_not_cleared_without_date",
        "households",
        {"status": "未清零", "cleared_on": None, "cleared_channel": None},
        set(),
    ),
    (
        "household_status_not_in_list",
        "households",
        {"status": "清零中"},
        {("状态", "HOUSEHOLD_STATUS_INVALID")},
    ),
    (
        "household_cleared_without_date",
        "households",
        {"cleared_on": None},
        {("清零日期", "HOUSEHOLD_CLEARED_NO_DATE")},
    ),
    (
        "household_cleared_without_channel",
        "households",
        {"cleared_channel": None},
        {("清零方式", "HOUSEHOLD_CLEARED_NO_DATE")},
    ),
    (
        "household_channel_not_in_list",
        "households",
        {"cleared_channel": "77"},
        {("清零方式", "CHANNEL_INVALID")},
    ),
    (
        "household_head_bad_id",
        "households",
        {"head_id_number": ID_BAD_CHECK},
        {("户主身份证号码", "ID_BAD_CHECKSUM")},
    ),
    (
        "household_head_id_missing",
        "households",
        {"head_id_number": None},
        {("户主身份证号码", "REQUIRED_MISSING")},
    ),
]

# Counts have no header of their own in these expectations' expected sets above: map them.
COUNT_HEADERS = {
    "trainees": "培训人数",
    "completed": "结业人数",
    "employed_after": "结业后就业人数",
    "attendees": "参加人数",
}


def _expected(expected: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(COUNT_HEADERS.get(column, column), reason) for column, reason in expected}


@pytest.fixture(scope="module")
def gx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gx")


@pytest.fixture(scope="module")
def case_issues(gx_dir: Path) -> dict[str, pl.DataFrame]:
    """All rule cases of each sheet in one validation run; each case is its own return."""
    out = {}
    for sheet in BASE:
        frames = [
            typed_rows(sheet, [overrides]).with_columns(pl.lit(case_id).alias("return_id"))
            for case_id, case_sheet, overrides, _ in CASES
            if case_sheet == sheet
        ]
        out[sheet] = validate_sheet(sheet, pl.concat(frames), gx_dir, "rule-cases")
    return out


@pytest.mark.parametrize(
    ("case_id", "sheet", "overrides", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_each_rule_fails_and_passes(
    case_issues: dict[str, pl.DataFrame], case_id: str, sheet: str, overrides: dict, expected: set
) -> None:
    row = case_issues[sheet].filter(pl.col("return_id") == case_id)
    found = set(row.select("column_name", "reason_code").iter_rows())
    assert found == _expected(expected)
    assert row["row_number"].to_list() == [4] * row.height


def test_same_person_twice_in_one_return_flags_every_later_occurrence(gx_dir: Path) -> None:
    twice = typed_rows(
        "placements",
        [
            {},
            {"name": "测试丙"},
            {"id_number": ID_FEMALE, "id_raw": ID_FEMALE, "gender": "女"},
            {"id_number": ID_MALE.lower(), "id_raw": ID_MALE},
        ],
    )
    other_return = typed_rows("placements", [{}]).with_columns(pl.lit("r-other").alias("return_id"))
    issues = validate_sheet("placements", pl.concat([twice, other_return]), gx_dir, "duplicates")
    dup = issues.filter(pl.col("reason_code") == "PERSON_DUPLICATE")
    assert sorted(dup.select("return_id", "row_number").iter_rows()) == [("r", 5), ("r", 7)]
    assert set(dup["column_name"]) == {"身份证号码"}


def test_500_bad_rows_all_reported_and_the_return_held_back(gx_dir: Path) -> None:
    bad = [{"monthly_income": 60000.0}] * 500
    good = [{}] * 20
    typed = typed_rows("placements", distinct_people(bad + good))
    issues = validate_sheet("placements", typed, gx_dir, "large-return")

    assert issues.height == 500  # not truncated to GX's 20 or 200 partial results
    assert set(issues["row_number"]) == set(range(4, 504))
    assert set(issues["reason_code"]) == {"INCOME_OUT_OF_RANGE"}

    decision = decide(
        issues, typed.with_columns(pl.lit("placements").alias("sheet")), holdback_share=0.5
    )
    summary = decision.returns.row(0, named=True)
    assert summary == {
        "return_id": "r",
        "rows_received": 520,
        "rows_accepted": 20,
        "rows_quarantined": 500,
        "held_back": True,
        "rows_loaded": 0,
    }
    assert decision.loaded.height == 0 and decision.kept_out.height == 520
    held = decision.issues.filter(pl.col("reason_code") == "RETURN_HELD_BACK")
    assert held.select("return_id", "row_number").rows() == [("r", None)]


def test_three_bad_rows_quarantined_the_rest_load(gx_dir: Path) -> None:
    rows: list[dict[str, Any]] = [{"phone": None}] * 40
    rows[3] = {"channel": "77"}
    rows[17] = {"placed_on": date(2024, 7, 1)}
    rows[30] = {"gender": "女", "id_number": ID_MALE, "id_raw": ID_MALE}
    rows[8] = {"placed_on": date(2024, 4, 2)}  # a late report is a warning: it loads
    typed = typed_rows("placements", distinct_people(rows))
    issues = validate_sheet("placements", typed, gx_dir, "three-bad")

    decision = decide(
        issues, typed.with_columns(pl.lit("placements").alias("sheet")), holdback_share=0.5
    )
    quarantined = decision.rows.filter(pl.col("status") == "quarantined")["row_number"].to_list()
    assert sorted(quarantined) == [4 + 3, 4 + 17, 4 + 30]
    assert decision.loaded.height == 37
    assert decision.returns.select(
        "rows_received", "rows_accepted", "rows_quarantined", "held_back"
    ).row(0) == (
        40,
        37,
        3,
        False,
    )
    assert 4 + 8 in decision.loaded["row_number"].to_list()
    assert decision.issues.filter(pl.col("reason_code") == "RETURN_HELD_BACK").height == 0


def test_parse_flag_is_not_repeated_as_required_missing(gx_dir: Path) -> None:
    typed = typed_rows("placements", distinct_people([{"placed_on": None}, {"placed_on": None}]))
    checked = validate_sheet("placements", typed, gx_dir, "merge")
    parsed = pl.DataFrame(
        {
            "return_id": ["r"],
            "sheet": ["placements"],
            "row_number": [4],
            "column_name": ["上岗日期"],  # the alias the station wrote
            "reason_code": ["DATE_INVALID"],
            "detail": [""],
        }
    )
    merged = merge_issues(parsed, checked)
    assert sorted(merged.select("row_number", "reason_code").iter_rows()) == [
        (4, "DATE_INVALID"),
        (5, "REQUIRED_MISSING"),
    ]


def test_every_expectation_names_a_known_reason_and_canonical_header() -> None:
    ref = load_reference()
    for sheet in BASE:
        suite = build_suite(sheet, ref)
        assert len(suite.expectations) == len(rules(sheet, ref))
        for expectation in suite.expectations:
            assert expectation.meta["reason_code"] in ref.reasons
            assert ref.reasons[expectation.meta["reason_code"]].level == "row"
            canonical = [names[0] for names in ref.headers[sheet].values()]
            assert expectation.meta["column"] in canonical


def _forms(value: str) -> set[str]:
    """How a value could appear in a GX file: as is, JSON-escaped, HTML-escaped."""
    return {
        value,
        json.dumps(value)[1:-1],
        html.escape(value),
        value.encode("unicode_escape").decode(),
    }


def test_data_docs_and_validation_results_hold_no_personal_value(
    gx_dir: Path, case_issues: dict[str, pl.DataFrame]
) -> None:
    # Runs after the other tests of this module have validated through the same context.
    validate_sheet(
        "placements",
        typed_rows(
            "placements",
            [
                {
                    "name": "测试丁",
                    "phone": "13711112222",
                    "gender": "女",
                    "categories": ["02"],
                    "disability_cert": ID_BAD_CHECK + "79",
                }
            ],
        ),
        gx_dir,
        "privacy",
    )
    build_data_docs(gx_dir)
    files = [p for p in gx_dir.rglob("*") if p.is_file()]
    results = [p for p in files if "validations" in p.parts and p.suffix == ".json"]
    pages = [p for p in files if p.suffix == ".html" and "validations" in p.parts]
    assert results and pages, (
        "GX stored no validation results or Data Docs pages: nothing was checked"
    )
    assert any("PERSON_DUPLICATE" in p.read_text(encoding="utf-8") for p in results)

    personal = {
        "测试甲",
        "测试乙",
        "测试丙",
        "测试丁",
        "13900001111",
        "13711112222",
        "0518-85801234",
        "1390000",
        ID_MALE,
        ID_FEMALE,
        ID_BAD_CHECK,
        ID_BAD_BIRTH,
        ID_MALE[:17],
        CERT_OK,
        ID_MALE + "1",
        ID_FEMALE + "12",
        ID_MALE + "15",
        ID_BAD_CHECK + "79",
        "3.20706E+17",
    }
    leaks = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        leaks.extend(
            path.relative_to(gx_dir).as_posix()
            for v in personal
            if any(f in text for f in _forms(v))
        )
    assert not leaks, f"personal values found in GX files: {sorted(set(leaks))}"
