"""District figures (Contract 5) from a small hand-built warehouse.

Every expected value is worked out by hand from the rows loaded in the test.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from tests.integration.test_warehouse import load, placement, synthetic_id
from warehouse.db import connect_private, publications, record_publication
from warehouse.figures import (
    compute_figures,
    data_version,
    revisions,
)

pytestmark = pytest.mark.integration

AS_OF = date(2024, 5, 31)
# The hand-worked statuses below assume returns are due on the 5th (returns.md §6): the
# day is an input here, pinned, not read back from publication.yaml (test_context checks
# that the package says the 5th).
ON_TIME_DAY = 5
TARGETS = {"placements": 8, "events": 20, "new_stations": 6, "uncleared_households": 0}


def value(
    figs: pl.DataFrame,
    figure: str,
    measure: str,
    *,
    scope: str | None = None,
    station: str | None = None,
    category: str | None = None,
) -> float:
    rows = figs.filter(
        (pl.col("figure") == figure)
        & (pl.col("measure") == measure)
        & pl.col("station").eq_missing(station)
        & pl.col("category").eq_missing(category)
        & (pl.lit(True) if scope is None else pl.col("scope") == scope)
    )
    assert rows.height == 1, rows
    return rows["value"][0]


@pytest.fixture
def con(tmp_path: Path):
    con = connect_private(tmp_path / "private.duckdb")
    yield con
    con.close()


def test_person_placed_by_two_stations_counts_once(con):
    a, b, c = synthetic_id(1), synthetic_id(2), synthetic_id(3)
    load(con, "XH", "2024-03", datetime(2024, 4, 3), [placement(a, date(2024, 3, 10))])
    load(
        con,
        "WH",
        "2024-04",
        datetime(2024, 5, 3),
        [placement(a, date(2024, 4, 5)), placement(b, date(2024, 4, 20))],
    )
    # c is placed by two stations on the same day: the tie goes to the lower code, JH.
    load(con, "XH", "2024-04", datetime(2024, 5, 3), [placement(c, date(2024, 4, 1))])
    load(con, "JH", "2024-04", datetime(2024, 5, 3), [placement(c, date(2024, 4, 1))])

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)

    assert value(figs, "F01", "persons", scope="ytd") == 3  # a, b, c
    assert value(figs, "F03", "persons_attributed", station="XH") == 1  # a (March)
    assert value(figs, "F03", "persons_own", station="XH") == 2  # a, c
    assert value(figs, "F03", "persons_attributed", station="WH") == 1  # b
    assert value(figs, "F03", "persons_own", station="WH") == 2  # a, b
    assert value(figs, "F03", "persons_attributed", station="JH") == 1  # c
    assert value(figs, "F03", "persons_own", station="JH") == 1
    assert value(figs, "F03", "persons_attributed", station="XF") == 0
    attributed = figs.filter(
        (pl.col("figure") == "F03") & (pl.col("measure") == "persons_attributed")
    )
    assert attributed["value"].sum() == 3


def test_same_person_in_consecutive_months_counts_once(con):
    d = synthetic_id(4)
    load(con, "XF", "2024-03", datetime(2024, 4, 2), [placement(d, date(2024, 3, 4))])
    load(con, "XF", "2024-04", datetime(2024, 5, 2), [placement(d, date(2024, 4, 8))])

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)

    assert value(figs, "F01", "persons", scope="ytd") == 1
    monthly = {
        r["category"]: r["value"]
        for r in figs.filter((pl.col("figure") == "F01") & (pl.col("scope") == "month")).iter_rows(
            named=True
        )
    }
    assert monthly == {"2024-01": 0, "2024-02": 0, "2024-03": 1, "2024-04": 1, "2024-05": 0}


def test_category_breakdown_counts_every_category_of_the_first_placement(con):
    e, f, g = synthetic_id(5), synthetic_id(6), synthetic_id(7)
    load(
        con,
        "XH",
        "2024-03",
        datetime(2024, 4, 2),
        [
            placement(e, date(2024, 3, 1), categories=("01", "05")),
            placement(f, date(2024, 3, 2), categories=("05",)),
            placement(g, date(2024, 3, 3), categories=("01",)),
        ],
    )
    # g's later placement carries 残疾人; the breakdown uses the first placement only.
    load(
        con,
        "JH",
        "2024-04",
        datetime(2024, 5, 2),
        [placement(g, date(2024, 4, 9), categories=("02",))],
    )

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)

    assert value(figs, "F01", "persons", scope="ytd") == 3
    by_category = {
        r["category"]: r["value"]
        for r in figs.filter(pl.col("figure") == "F02").iter_rows(named=True)
    }
    assert by_category == {"01": 2, "02": 0, "03": 0, "04": 0, "05": 2}  # sums to 4 > 3
    # F04 counts the disabled persons each station placed: JH placed g as 残疾人.
    assert value(figs, "F04", "disabled_persons", station="JH") == 1
    assert value(figs, "F04", "disabled_persons", station="XH") == 0


def test_disabled_persons_since_the_station_opened(con):
    h, i = synthetic_id(8), synthetic_id(9)
    load(
        con,
        "JH",
        "2023-05",
        datetime(2023, 6, 2),
        [placement(h, date(2023, 5, 6), categories=("02",))],
    )
    load(
        con,
        "JH",
        "2024-02",
        datetime(2024, 3, 2),
        [placement(i, date(2024, 2, 6), categories=("02", "01"))],
    )
    load(
        con,
        "XH",
        "2024-03",
        datetime(2024, 4, 2),
        [placement(i, date(2024, 3, 6), categories=("02",))],
    )

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)

    assert value(figs, "F04", "disabled_persons", station="JH") == 2
    assert value(figs, "F04", "disabled_persons", station="XH") == 1
    assert value(figs, "F04", "disabled_persons", station=None) == 2
    # h was placed in 2023: not in this year's F01.
    assert value(figs, "F01", "persons", scope="ytd") == 1
    # As of April 2023 only h had been placed (13 by April 2023 in the article's terms).
    assert (
        value(
            compute_figures(con, date(2023, 4, 30), None, TARGETS, on_time_day=ON_TIME_DAY),
            "F04",
            "disabled_persons",
            station="JH",
        )
        == 0
    )


def test_target_progress_income_and_subsidy(con):
    people = [synthetic_id(n) for n in range(10, 13)]
    load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 3),
        [
            placement(people[0], date(2024, 5, 2), income=1500, channel="10", subsidy=True),
            placement(people[1], date(2024, 5, 3), income=1600, channel="23"),
            placement(people[2], date(2024, 5, 4), income=2000, channel="24", subsidy=True),
        ],
    )

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)

    # 3 of 8 = 37.50%; May = 5/12 = 41.67%; 37.50 - 41.67 = -4.17 points (慢序时).
    assert value(figs, "F09", "persons") == 3
    assert value(figs, "F09", "target") == 8
    assert value(figs, "F09", "completion_rate") == 37.5
    assert value(figs, "F09", "time_progress") == 41.67
    assert value(figs, "F09", "ahead_pp") == -4.17
    assert value(figs, "F11", "median_income", category=None) == 1600
    assert value(figs, "F11", "mean_income", category=None) == 1700
    # channels 23 and 24 both roll up to 22 (灵活就业): 1600 and 2000.
    assert value(figs, "F11", "median_income", category="22") == 1800
    assert value(figs, "F11", "mean_income", category="10") == 1500
    assert value(figs, "F12", "persons_subsidised") == 2


def test_households_and_incubation_use_the_latest_return_of_each_station(con):
    april_register = [
        {
            "household_id": "H9",
            "head_name": "王测试",
            "head_id_number": synthetic_id(30),
            "members": 3,
            "labour": 2,
            "identified_on": date(2024, 4, 1),
            "status": "未清零",
            "cleared_on": None,
            "cleared_channel": None,
        }
    ]
    may_register = [
        {
            "household_id": "H1",
            "head_name": "赵测试",
            "head_id_number": synthetic_id(31),
            "members": 4,
            "labour": 2,
            "identified_on": date(2024, 5, 10),
            "status": "未清零",
            "cleared_on": None,
            "cleared_channel": None,
        },
        {
            "household_id": "H2",
            "head_name": "钱测试",
            "head_id_number": synthetic_id(32),
            "members": 3,
            "labour": 1,
            "identified_on": date(2024, 3, 1),
            "status": "已清零",
            "cleared_on": date(2024, 3, 21),
            "cleared_channel": "10",
        },
        {
            "household_id": "H3",
            "head_name": "孙测试",
            "head_id_number": synthetic_id(33),
            "members": 2,
            "labour": 1,
            "identified_on": date(2023, 11, 1),
            "status": "已清零",
            "cleared_on": date(2024, 1, 10),
            "cleared_channel": "22",
        },
    ]
    incubated = [
        {
            "company": "江苏测试电子商务有限公司",
            "credit_code": "91320706MA1TEST01X",
            "incubated_on": date(2023, 9, 1),
            "jobs": 12,
            "hardship_jobs": 4,
        }
    ]
    load(con, "XH", "2024-04", datetime(2024, 5, 3), other_sheets={"households": april_register})
    load(con, "XH", "2024-05", datetime(2024, 6, 3), other_sheets={"households": may_register})
    load(con, "WH", "2024-05", datetime(2024, 6, 3), other_sheets={"incubated": incubated})

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)

    assert (
        value(figs, "F10", "uncleared", scope="period_end") == 1
    )  # H1; H9 is only in April's register
    assert value(figs, "F10", "identified") == 2  # H1, H2 (H3 was identified in 2023)
    assert value(figs, "F10", "cleared") == 2  # H2, H3
    assert value(figs, "F10", "mean_days_to_clear") == 45  # (20 + 70) / 2
    assert value(figs, "F06", "jobs", station="WH", category="江苏测试电子商务有限公司") == 12
    assert value(figs, "F06", "businesses") == 1
    assert value(figs, "F06", "hardship_jobs", station=None) == 4
    # As of April the May registers were not yet the state: H9 is uncleared then.
    april = compute_figures(con, date(2024, 4, 30), None, TARGETS, on_time_day=ON_TIME_DAY)
    assert value(april, "F10", "uncleared", scope="period_end") == 1
    assert value(april, "F06", "businesses") == 0


def test_training_events_and_stations(con):
    course = {
        "project": "穿戴甲",
        "training_type": "就业技能培训",
        "start_on": date(2024, 4, 15),
        "end_on": date(2024, 5, 20),
        "partner": None,
        "note": None,
    }
    events = [
        {
            "event_name": "政策讲座",
            "event_type": "政策研读讲座",
            "held_on": date(2024, 3, 8),
            "attendees": 40,
            "venue": "社区",
        },
        {
            "event_name": "创业沙龙",
            "event_type": "创业沙龙",
            "held_on": date(2024, 5, 8),
            "attendees": 20,
            "venue": "社区",
        },
        {
            "event_name": "去年沙龙",
            "event_type": "创业沙龙",
            "held_on": date(2023, 12, 8),
            "attendees": 20,
            "venue": "社区",
        },
    ]
    # The course runs over April and May and is reported in both returns: it counts once,
    # with May's numbers.
    load(
        con,
        "XN",
        "2024-04",
        datetime(2024, 5, 3),
        other_sheets={
            "training": [{**course, "trainees": 35, "completed": 0, "employed_after": 0}]
        },
    )
    load(
        con,
        "XN",
        "2024-05",
        datetime(2024, 6, 3),
        other_sheets={
            "training": [{**course, "trainees": 35, "completed": 33, "employed_after": 31}],
            "events": events,
        },
    )

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)

    assert (
        value(figs, "F05", "courses", scope="since_opening", station="XN", category="穿戴甲") == 1
    )
    assert (
        value(figs, "F05", "employed_after", scope="since_opening", station="XN", category="穿戴甲")
        == 31
    )
    assert value(figs, "F05", "trainees", scope="ytd") == 35
    assert value(figs, "F07", "events", category=None) == 2
    assert value(figs, "F07", "events", category="创业沙龙") == 1
    assert value(figs, "F07", "completion_rate") == 10  # 2 of 20
    # Six registered stations by May 2024, one of them (NF) opened in 2024: 1 of 6.
    assert value(figs, "F08", "stations_operating") == 6
    assert value(figs, "F08", "opened_this_year") == 1
    assert value(figs, "F08", "completion_rate") == 16.67


def test_returns_register_statuses(con):
    # XH: March on time (by 5 April), April late (8 May), May resubmitted; February
    # and January missing. WH: May rejected only.
    load(
        con,
        "XH",
        "2024-03",
        datetime(2024, 4, 5, 17, 0),
        [placement(synthetic_id(1), date(2024, 3, 1))],
    )
    load(
        con,
        "XH",
        "2024-04",
        datetime(2024, 5, 8),
        [placement(synthetic_id(2), date(2024, 4, 1))],
        quarantine=[
            {
                "sheet": "placements",
                "row_number": 4,
                "column_name": "身份证号码",
                "reason_code": "ID_BAD_CHECKSUM",
                "message": "",
            }
        ],
    )
    load(con, "XH", "2024-05", datetime(2024, 6, 3), [placement(synthetic_id(3), date(2024, 5, 1))])
    load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 9),
        [
            placement(synthetic_id(3), date(2024, 5, 1)),
            placement(synthetic_id(4), date(2024, 5, 2)),
        ],
        file_name="XH_2024-05_v2.xlsx",
    )
    load(con, "WH", "2024-05", datetime(2024, 6, 4), status="rejected", rows_received=0)

    figs = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY).filter(
        pl.col("figure") == "F13"
    )
    status = {(r["station"], r["category"]): r["text"] for r in figs.iter_rows(named=True)}

    assert status[("XH", "2024-01")] == "缺报"
    assert status[("XH", "2024-03")] == "按时"
    assert status[("XH", "2024-04")] == "逾期"
    assert status[("XH", "2024-05")] == "重报"
    assert status[("WH", "2024-05")] == "退回"
    assert value(figs, "F13", "versions", station="XH", category="2024-05") == 2
    assert value(figs, "F13", "rows_accepted", station="XH", category="2024-05") == 2
    assert value(figs, "F13", "rows_quarantined", station="XH", category="2024-04") == 1
    # Known before the correction arrived, May was simply on time.
    earlier = compute_figures(
        con, AS_OF, datetime(2024, 6, 5), TARGETS, on_time_day=ON_TIME_DAY
    ).filter(pl.col("figure") == "F13")
    assert {(r["station"], r["category"]): r["text"] for r in earlier.iter_rows(named=True)}[
        ("XH", "2024-05")
    ] == "按时"


def test_figures_as_known_before_and_after_resubmission(con):
    p1, p2, p3, p4 = (synthetic_id(n) for n in (41, 42, 43, 44))
    load(con, "WH", "2024-05", datetime(2024, 6, 2), [placement(p1, date(2024, 5, 6))])
    load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 3),
        [placement(p1, date(2024, 5, 2)), placement(p2, date(2024, 5, 3))],
    )
    published_at = datetime(2024, 6, 5)
    bulletin = compute_figures(con, AS_OF, published_at, TARGETS, on_time_day=ON_TIME_DAY)
    version_then = data_version(con, published_at)
    record_publication(
        con,
        {
            "as_of": AS_OF,
            "known_at": published_at,
            "data_version": version_then,
            "issue_no": "2024年第5期",
            "period": "2024-05",
            "issue_number": 5,
            "edition": 1,
            "published_at": published_at,
            "file_name": "issues/2024-05.pdf",
        },
    )

    # The correction drops p2 and adds p3 and p4.
    load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 10),
        [
            placement(p1, date(2024, 5, 2)),
            placement(p3, date(2024, 5, 3)),
            placement(p4, date(2024, 5, 4)),
        ],
        file_name="XH_2024-05_更正.xlsx",
    )

    # The pair (as_of, known_at) reproduces the published figures exactly.
    assert compute_figures(con, AS_OF, published_at, TARGETS, on_time_day=ON_TIME_DAY).equals(
        bulletin
    )
    assert data_version(con, published_at) == version_then
    assert data_version(con) != version_then

    now = compute_figures(con, AS_OF, None, TARGETS, on_time_day=ON_TIME_DAY)
    assert value(bulletin, "F01", "persons", scope="ytd") == 2  # p1, p2
    assert value(now, "F01", "persons", scope="ytd") == 3  # p1, p3, p4
    # p1 was placed by XH on 2 May before WH on 6 May: attributed to XH either way.
    assert value(bulletin, "F03", "persons_attributed", station="XH") == 2
    assert value(now, "F03", "persons_attributed", station="XH") == 3

    revised = revisions(con, AS_OF, published_at, None, TARGETS, on_time_day=ON_TIME_DAY)
    f01 = revised.filter((pl.col("figure") == "F01") & (pl.col("scope") == "ytd"))
    assert f01.select("period", "old_value", "new_value", "cause").rows() == [
        ("2024-05", 2.0, 3.0, "XH_2024-05_更正.xlsx")
    ]
    may = revised.filter((pl.col("figure") == "F01") & (pl.col("category") == "2024-05"))
    assert may.select("period", "old_value", "new_value").rows() == [("2024-05", 2.0, 3.0)]
    # F13 (how returns arrived) is not a statistic and is never listed as revised.
    assert revised.filter(pl.col("figure") == "F13").height == 0
    # WH's figures did not change, and nothing of WH is blamed on XH's correction.
    assert revised.filter(pl.col("station") == "WH").height == 0

    (issue,) = publications(con)
    assert (issue["as_of"], issue["known_at"], issue["issue_no"], issue["seq"]) == (
        AS_OF,
        published_at,
        "2024年第5期",
        1,
    )
