from datetime import date

import pytest

from transforms.values import (
    excel_serial_to_date,
    parse_amount,
    parse_count,
    parse_date,
    parse_gender,
    parse_period,
    parse_phone,
    parse_status,
    parse_yes_no,
)

MAY_31 = date(2024, 5, 31)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024年5月", "2024-05"),
        ("2024-05", "2024-05"),
        ("202405", "2024-05"),
        ("2024.5", "2024-05"),
        ("２０２４年５月", "2024-05"),
        ("2024年13月", None),
        ("五月", None),
        (None, None),
    ],
)
def test_period_forms(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-31",
        "2024-05-31 00:00:00",
        "2024-05-31T00:00:00",
        "2024/5/31",
        "2024.5.31",
        "20240531",
        "2024年5月31日",
        "2024年5月31号",
        "２０２４年５月３１日",
        " 2024-5-31 ",
        "45443",
        "45443.0",
        "45443.25",
    ],
)
def test_date_forms(text):
    assert parse_date(text) == (MAY_31, None)


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",  # no such day
        "2024-13-01",
        "5月31日",  # no year
        "24/5/31",  # two-digit year is ambiguous
        "31/05/2024",  # day first
        "2024年5月",  # a month is not a date
        "上月底",
        "12",  # too small to be an Excel serial in our window
        "1",
        "99999",  # Excel serial beyond 2100
        "19990531",  # before the programme's window
        "2024-05-31 8点",
    ],
)
def test_unreadable_dates_are_rejected(text):
    assert parse_date(text) == (None, "DATE_INVALID")


@pytest.mark.parametrize("text", [None, "", "  ", "\u3000"])
def test_blank_date_is_missing_not_invalid(text):
    assert parse_date(text) == (None, None)


def test_excel_serial_uses_the_1900_system():
    assert excel_serial_to_date(45443) == MAY_31
    assert excel_serial_to_date(36526) == date(2000, 1, 1)
    assert excel_serial_to_date(60) is None  # Excel's fictitious 1900-02-29


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1500", 1500.0),
        ("1,500", 1500.0),
        ("1，500", 1500.0),
        ("12,345.50", 12345.5),
        ("1500元", 1500.0),
        ("1500 元", 1500.0),
        ("1500元/月", 1500.0),
        ("1500.00", 1500.0),
        ("１５００", 1500.0),
        ("￥1500", 1500.0),
        ("¥1,500.00", 1500.0),
        ("-1500", -1500.0),  # readable; the range rule is GX's
        ("0", 0.0),
    ],
)
def test_amount_forms(text, expected):
    assert parse_amount(text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    [
        "1500多",
        "约1500",
        "1500左右",
        "1500余",
        "1千",
        "0.15万",
        "1500-2000",
        "面议",
        "1,5,00",
        "1500,50",
    ],
)
def test_amount_with_duo_is_rejected(text):
    assert parse_amount(text) == (None, "INCOME_INVALID")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12", 12),
        ("12人", 12),
        ("12 人", 12),
        ("12.0", 12),
        ("１２", 12),
        ("0", 0),
        ("10个", 10),
        ("1,200", 1200),
    ],
)
def test_count_forms(text, expected):
    assert parse_count(text) == (expected, None)


@pytest.mark.parametrize("text", ["12.5", "-3", "10余", "十几", "10多个", "约30人", "abc"])
def test_count_that_is_not_a_whole_number_is_rejected(text):
    assert parse_count(text) == (None, "COUNT_INVALID")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("YES", True),
        ("√", True),
        ("×", False),
        ("有", True),
        ("無", False),
        ("TRUE", True),
        ("false", False),
    ],
)
def test_yes_no_forms(text, expected):
    assert parse_yes_no(text) == (expected, None)


@pytest.mark.parametrize("text", ["是否", "不确定", "2"])
def test_yes_no_unreadable_is_subsidy_invalid(text):
    assert parse_yes_no(text) == (None, "SUBSIDY_INVALID")


@pytest.mark.parametrize(
    "text, expected", [("男", "男"), ("女", "女"), ("男性", "男"), (" 女性 ", "女")]
)
def test_gender_forms(text, expected):
    assert parse_gender(text) == (expected, None)


@pytest.mark.parametrize("text", ["M", "未知", "男女"])
def test_gender_other_than_male_or_female_is_rejected(text):
    assert parse_gender(text) == (None, "GENDER_INVALID")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("13812341234", "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("１３８１２３４１２３４", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("13812341234.0", "13812341234"),
        ("0518-85123456", "0518-85123456"),
        ("051885123456", "0518-85123456"),
        ("(0518)85123456", "0518-85123456"),
    ],
)
def test_phone_forms(text, expected):
    assert parse_phone(text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    [
        "12812341234",
        "1381234123",
        "138123412345",
        "025-85123456",
        "0518-5123456",
        "85123456",
        "电话",
    ],
)
def test_phone_not_mobile_or_0518_landline_is_rejected(text):
    assert parse_phone(text) == (None, "PHONE_INVALID")


@pytest.mark.parametrize(
    "text, expected", [("未清零", "未清零"), ("已清零", "已清零"), (" 已清零 ", "已清零")]
)
def test_household_status_forms(text, expected):
    assert parse_status(text) == (expected, None)


@pytest.mark.parametrize("text", ["清零", "已就业", "是"])
def test_household_status_other_words_are_rejected(text):
    assert parse_status(text) == (None, "HOUSEHOLD_STATUS_INVALID")
