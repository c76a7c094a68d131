"""A bulletin with small counts: the PDF's text shows stars where they were, never the
counts, and says the rule it applied."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from doorstep.bulletin import render_bulletin
from doorstep.bulletin.narrative import fill_texts
from doorstep.bulletin.tables import disclose
from tests.factories import crosstab_rows, figure_row
from tests.integration.bulletin_context import context, figures

pytestmark = pytest.mark.integration

# Persons by station × category × gender of the first placements (men, women). XH's
# three women of 特困职工家庭成员 are the small count; the rest is big enough for the
# fine table to stand.
CROSSTAB = {
    ("XH", "01"): (20, 18),
    ("XH", "03"): (12, 3),
    ("WH", "01"): (15, 14),
    ("WH", "03"): (12, 11),
    ("XF", "01"): (13, 12),
    ("XF", "03"): (10, 9),
    ("JH", "01"): (20, 21),
    ("JH", "03"): (11, 10),
}
CATEGORY_SECTION = "（一）按人员类别分"
HIDDEN_REVISION_OLD = 1751.0  # a revision of a hidden median, which must not print either


def _crosstab() -> list[dict[str, Any]]:
    return crosstab_rows(
        {
            (s, c, g): n
            for (s, c), pair in CROSSTAB.items()
            for g, n in zip(("男", "女"), pair, strict=True)
        }
    )


def _figures() -> list[dict[str, Any]]:
    rows = [r for r in figures() if r["figure"] != "F02"]
    for category in ("01", "03"):
        total = sum(sum(p) for (_, c), p in CROSSTAB.items() if c == category)
        rows.append(figure_row("F02", "ytd", "persons", total, None, category))
    # The context's F11 by channel; 公益性岗位 (30) is over 3 persons only.
    for channel, persons in ((None, 150), ("10", 80), ("22", 40), ("30", 3)):
        rows.append(figure_row("F11", "ytd", "persons", persons, None, channel))
    return rows


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    figs = fill_texts(_figures())
    disclosure = disclose(_crosstab(), figs)
    revision = {
        "figure": "F11",
        "label": "月收入（公益性岗位）",
        "period": "2024-04",
        "scope": "ytd",
        "station": None,
        "category": "30",
        "measure": "median_income",
        "old_value": HIDDEN_REVISION_OLD,
        "new_value": 1800.0,
        "cause": "XH_2024-04_更正.xlsx",
    }
    ctx = dataclasses.replace(context(revisions=[revision]), figures=figs, disclosure=disclosure)
    pdf = render_bulletin(ctx, tmp_path_factory.mktemp("stars") / "2024-05-31.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(str(Path(pdf))).pages)
    return text, disclosure


def _line(text: str, *starts: str, after: str = "") -> list[str]:
    """The tokens of the first line after ``after`` that begins with these words."""
    for line in text[text.index(after) :].splitlines():
        tokens = line.split()
        if tokens[: len(starts)] == list(starts):
            return tokens[len(starts) :]
    raise AssertionError(f"no line {starts} in the bulletin")


def test_fine_table_is_published_with_the_small_count_starred(
    rendered: tuple[str, dict[str, Any]],
) -> None:
    text, disclosure = rendered
    assert disclosure["level"] == "station_category_gender"
    assert "各服务站本年帮扶就业人员按人员类别和性别分（人）" in re.sub(r"\s+", "", text)
    xh = _line(text, "星化社区家门口就业服务站", after=CATEGORY_SECTION)
    # columns: 低收入人口 男 女, 特困职工家庭成员 男 女
    assert xh[3] == "*"  # the 3 women
    assert "3" not in xh
    # and another cell of 特困职工家庭成员, or F02's total would give the 3 away
    stars = [r for r in disclosure["station_category_gender"] if r["persons"] == "*"]
    assert len(stars) >= 2 and all(r["category"] == "03" for r in stars)
    for station in ("星化社区家门口就业服务站", "文化社区家门口就业服务站", "江化社区助残就业点"):
        cells = _line(text, station, after=CATEGORY_SECTION)
        assert not {"1", "2", "3", "4"} & set(cells), (station, cells)


def test_note_states_the_rule(rendered: tuple[str, dict[str, Any]]) -> None:
    compact = re.sub(r"\s+", "", rendered[0])
    assert "1至4人的单元格以“*”表示" in compact
    assert "可能取值范围不小于3人" in compact
    assert "隐藏单元格超过非零单元格三分之一时" in compact


def test_hardship_hires_per_company_are_starred(rendered: tuple[str, dict[str, Any]]) -> None:
    text = rendered[0]
    # The context's companies: 财八斗 14 jobs/11 hardship, 智翼 6/3, 星化 8/5; total 19.
    assert _line(text, "文化社区家门口就业服务站", "连云港智翼文化传媒有限公司") == ["6", "*"]
    # 3 = 19 − 11 − 5: one more must go, the cheaper of 11 and 5.
    assert _line(text, "星化社区家门口就业服务站", "星化便民家政服务社") == ["8", "*"]
    assert _line(text, "文化社区家门口就业服务站", "江苏财八斗电子商务有限公司") == ["14", "11"]
    assert "1至4人的“其中困难人员”以“*”表示" in re.sub(r"\s+", "", text)


def test_median_over_fewer_than_five_is_not_printed(rendered: tuple[str, dict[str, Any]]) -> None:
    text = rendered[0]
    assert _line(text, "公益性岗位") == ["*", "*"]
    assert _line(text, "单位就业")[0] == "2100"  # 10 is over 80 persons: shown
    assert "人数不足5人的月收入中位数和平均数以“*”表示" in re.sub(r"\s+", "", text)
    assert "1751" not in text  # nor in the revisions table
    assert "1800" not in text
