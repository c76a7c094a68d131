"""The nightly run types the rows of many returns in one call per sheet: anything that
depends on a row's reporting month must come from that row, not from the first return."""

import polars as pl
from stdnum.cn import ric

from transforms.sheets import parse_sheet


def _id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")  # stdnum ignores the last character


def test_age_band_of_an_undated_row_uses_its_own_reporting_month(ref):
    # Born 2008-06-15: 15 at the end of May 2024, 16 at the end of June 2024.
    person = _id("32070620080615001")
    raw = pl.DataFrame(
        {
            "return_id": ["may", "june"],
            "station_code": ["XH", "XH"],
            "period": ["2024-05", "2024-06"],
            "row_number": [3, 3],
            "name": ["甲", "甲"],
            "gender": ["女", "女"],
            "id_number": [person, person],
            "categories": ["低收入人口", "低收入人口"],
            "channel": ["单位就业", "单位就业"],
            "placed_on": ["不详", "不详"],  # unreadable: the age is taken at the month's end
        }
    )
    typed, issues = parse_sheet("placements", raw, ref)
    bands = dict(typed.select("return_id", "age_band").iter_rows())
    assert bands == {"may": "<16", "june": "16-24"}
    assert set(issues["reason_code"]) >= {"DATE_INVALID"}
