"""Narrative idioms at every boundary of the bureau's rules (spec: figures.md)."""

import pytest

from doorstep.bulletin.narrative import (
    approx_persons,
    approx_things,
    approx_yuan,
    fill_texts,
    progress_line,
    wan,
)
from tests.factories import figure_row


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (184, "184名"),  # 16 below 200: not close enough for 近
        (185, "近200名"),
        (192, "近200名"),
        (199, "近200名"),
        (200, "200名"),  # a round value is exact, never 近200名
        (201, "201名"),
        (10, "10名"),
        (11, "10余人"),
        (19, "10余人"),
        (20, "20名"),
        (23, "23名"),  # the article: 已为辖区23名残疾人解决就业
        (30, "30名"),
        (31, "30余人"),
        (39, "30余人"),
        (40, "40名"),
        (45, "45名"),  # outside the bureau's 余 bands: exact
        (84, "84名"),
        (85, "近100名"),
        (99, "近100名"),
        (100, "100名"),
        (1, "1名"),
        (0, "0名"),
        (2985, "近3000名"),
        (2984, "2984名"),
        (9984, "9984名"),
        (9985, "近1万名"),
        (9999, "近1万名"),
        (10000, "1万名"),
        (19990, "近2万名"),
        (24000, "2.4万名"),
        (24390, "2.4万名"),  # never 近2.44万名 nor 近2.4万名: one approximation only
    ],
)
def test_approx_persons_boundaries(n: int, expected: str) -> None:
    assert approx_persons(n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (10, "10个"),
        (11, "10多个"),
        (15, "10多个"),
        (19, "10多个"),
        (20, "20个"),
        (8, "8个"),
        (35, "35个"),
        (24000, "2.4万个"),
    ],
)
def test_approx_things_uses_the_articles_10duoge(n: int, expected: str) -> None:
    assert approx_things(n) == expected


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (1509, "1509元"),
        (1509.4, "1509元"),
        (1509.5, "1500多元"),  # rounds to 1510 first
        (1510, "1500多元"),
        (1523.75, "1500多元"),
        (1599, "1500多元"),
        (1599.5, "1600元"),
        (1600, "1600元"),
        (1605, "1605元"),
        (1650, "1600多元"),
        (99, "99元"),
        (9999, "9900多元"),
        (10000, "1万元"),
        (15555.5, "1.6万元"),  # never 1.5万多元: no 多 after a decimal
    ],
)
def test_approx_yuan_boundaries(x: float, expected: str) -> None:
    assert approx_yuan(x) == expected


@pytest.mark.parametrize("x", [1509.5, 1523.75, 12345.0, 15555.5, 99999.0])
def test_approx_yuan_never_puts_duo_after_a_decimal(x: float) -> None:
    text = approx_yuan(x)
    if "多" in text:
        assert text[text.index("多") - 1].isdigit()
        assert "." not in text


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (9999, "9999"),
        (10000, "1万"),
        (10499, "1万"),
        (10500, "1.1万"),
        (24000, "2.4万"),
        (24499, "2.4万"),
        (24500, "2.5万"),
        (99499, "9.9万"),
        (99500, "10万"),
        (123456, "12.3万"),
    ],
)
def test_wan_for_five_digits_or_more_rounds_half_up(n: int, expected: str) -> None:
    assert wan(n) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            (5, 192, 6.4, -35.27),
            "1至5月，实现就业困难人员就业192人，完成全年目标的6.40%，慢序时35.27个百分点",
        ),
        (
            (1, 300, 10.0, 1.67),
            "1月，实现就业困难人员就业300人，完成全年目标的10.00%，超序时1.67个百分点",
        ),
        (
            (6, 1500, 50.0, 0.0),
            "1至6月，实现就业困难人员就业1500人，完成全年目标的50.00%，与序时进度持平",
        ),
        (
            (12, 3100, 103.33, 3.33),
            "1至12月，实现就业困难人员就业3100人，完成全年目标的103.33%，超序时3.33个百分点",
        ),
        # the stored values are written as stored, never rounded again
        (
            (5, 1251, 41.7, 0.03),
            "1至5月，实现就业困难人员就业1251人，完成全年目标的41.70%，超序时0.03个百分点",
        ),
        (
            (2, 301, 10.03, -6.63),
            "1至2月，实现就业困难人员就业301人，完成全年目标的10.03%，慢序时6.63个百分点",
        ),
        ((5, 192, None, None), "1至5月，实现就业困难人员就业192人"),
    ],
)
def test_progress_line_in_the_bureaus_form(
    args: tuple[int, int, float | None, float | None], expected: str
) -> None:
    assert progress_line(*args) == expected


def test_fill_texts_writes_the_articles_figures() -> None:
    rows = [
        figure_row("F01", "ytd", "persons", 192.0),
        figure_row("F01", "month", "persons", 41.0, category="2024-05"),
        figure_row("F04", "since_opening", "disabled_persons", 23.0, station="JH"),
        figure_row("F04", "since_opening", "disabled_persons", 37.0),
        figure_row("F05", "since_opening", "employed_after", 34.0, station="XN", category="穿戴甲"),
        figure_row("F05", "since_opening", "trainees", 52.0, station="XN", category="穿戴甲"),
        figure_row(
            "F05", "since_opening", "employed_after", 12.0, station="NF", category="电商运营"
        ),
        figure_row(
            "F06", "period_end", "jobs", 14.0, station="WH", category="江苏财八斗电子商务有限公司"
        ),
        figure_row("F06", "period_end", "jobs", 31.0),
        figure_row("F09", "ytd", "persons", 192.0),
        figure_row("F09", "ytd", "target", 3000.0),
        figure_row("F09", "ytd", "completion_rate", 6.4),
        figure_row("F09", "ytd", "ahead_pp", -35.27),
        figure_row("F11", "ytd", "median_income", 1560.0),
        figure_row("F11", "ytd", "median_income", 1720.0, category="10"),
        figure_row(
            "F13", "month", "rows_accepted", 40.0, station="XH", category="2024-05", text="逾期"
        ),
    ]
    out = fill_texts(rows)
    texts = [r["text"] for r in out]
    assert texts == [
        "近200名",
        None,  # monthly trend rows stay numeric
        "23名",
        None,  # the district total is a table value, not a phrase
        "30余人",
        None,
        "10余人",
        "10多个",
        None,  # district totals of F06 are table values
        None,
        None,
        None,
        "1至5月，实现就业困难人员就业192人，完成全年目标的6.40%，慢序时35.27个百分点",
        "1500多元",
        None,  # only the district median is narrated
        "逾期",  # status labels from SQL are kept
    ]
    assert rows[0]["text"] is None  # pure: the input rows are not modified


def test_fill_texts_round_200_is_not_near_200() -> None:
    out = fill_texts([figure_row("F01", "ytd", "persons", 200.0)])
    assert out[0]["text"] == "200名"


def test_fill_texts_accepts_iso_dates_from_json() -> None:
    rows = [
        dict(r, as_of="2024-03-31")
        for r in (
            figure_row("F09", "ytd", "persons", 800.0),
            figure_row("F09", "ytd", "target", 3000.0),
            figure_row("F09", "ytd", "completion_rate", 26.67),
            figure_row("F09", "ytd", "ahead_pp", 1.67),
        )
    ]
    assert fill_texts(rows)[3]["text"] == (
        "1至3月，实现就业困难人员就业800人，完成全年目标的26.67%，超序时1.67个百分点"
    )
