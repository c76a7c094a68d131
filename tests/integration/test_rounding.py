"""One rounding rule for every rate and difference: the value stored is the value printed.

The oracle is Python's exact arithmetic (fractions rounded half up with decimal), not
the SQL under test. The measured bug: 301 of 3000 in February stored ahead_pp −6.64
(10.03 − 16.67, a difference of two rounded rates) but printed 慢序时6.63.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from statistics import median
from typing import Any

import duckdb
import polars as pl
import pytest

from doorstep.bulletin.narrative import approx_yuan, fill_texts
from foundation.reference import on_time_day
from tests.integration.test_warehouse import load, placement, synthetic_id
from warehouse.db import connect_private
from warehouse.figures import compute_figures
from warehouse.sql import fetch_frame

pytestmark = pytest.mark.integration

LINE = re.compile(r"完成全年目标的(\d+\.\d\d)%，(?:(超|慢)序时(\d+\.\d\d)个百分点|与序时进度持平)")


def exact(x: Fraction, places: int) -> float:
    """x rounded half away from zero to `places` decimals, as a float."""
    sign = -1 if x < 0 else 1
    d = Decimal(abs(x.numerator)) / Decimal(x.denominator)
    return sign * float(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def month_end(month: int) -> date:
    return (date(2024, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def person(n: int) -> str:
    # 500 persons per birth date keep the synthetic IDs distinct.
    birth = date(1970, 1, 1) + timedelta(days=n // 500)
    return synthetic_id(n % 500, birth=birth.strftime("%Y%m%d"))


def _rows(figs: Any) -> dict[str, dict[str, Any]]:
    return {r["measure"]: r for r in fill_texts(figs.to_dicts()) if r["figure"] == "F09"}


@pytest.fixture
def con(tmp_path: Path):
    con = connect_private(tmp_path / "private.duckdb")
    yield con
    con.close()


def test_301_of_3000_in_february_is_stored_and_printed_as_6_63_behind(con) -> None:
    people = [placement(person(n), date(2024, 2, 1 + n % 28)) for n in range(301)]
    load(con, "XH", "2024-02", datetime(2024, 3, 4), people)
    figs = compute_figures(
        con, date(2024, 2, 29), None, {"placements": 3000}, on_time_day=on_time_day()
    )
    f09 = _rows(figs)
    # exact: 301/3000 = 10.0333…%, 2/12 = 16.6666…%, difference −6.6333… points
    assert f09["completion_rate"]["value"] == 10.03
    assert f09["time_progress"]["value"] == 16.67
    assert f09["ahead_pp"]["value"] == -6.63
    assert f09["ahead_pp"]["text"] == (
        "1至2月，实现就业困难人员就业301人，完成全年目标的10.03%，慢序时6.63个百分点"
    )


def _f09(con: duckdb.DuckDBPyConnection, as_of: date, target: int) -> dict[str, dict[str, Any]]:
    params = {
        "as_of": as_of,
        "year_start": date(as_of.year, 1, 1),
        "known_at": datetime(9999, 1, 1),
        "target_placements": target,
    }
    frame = fetch_frame(con, "figures/f09_target_progress.sql", params)
    rows = [{**r, "known_at": None} for r in frame.to_dicts()]
    return {r["measure"]: r for r in fill_texts(rows)}


def test_every_f09_line_prints_the_stored_values_and_they_are_exact(con) -> None:
    rng = random.Random(301)
    per_month = [rng.randint(0, 260) for _ in range(12)]
    people, n = [], 0
    for month, count in enumerate(per_month, start=1):
        for _ in range(count):
            people.append(placement(person(n), date(2024, month, 1 + n % 28)))
            n += 1
    load(con, "XH", "2024-12", datetime(2025, 1, 3), people)
    checked = 0
    for month in range(1, 13):
        persons = sum(per_month[:month])
        targets = [rng.randint(1, 6000) for _ in range(25)] + [3000, persons, 7, 3]
        for target in targets:
            f09 = _f09(con, month_end(month), target)
            completion = Fraction(100 * persons, target)
            time_progress = Fraction(100 * month, 12)
            stored = {m: f09[m]["value"] for m in ("completion_rate", "time_progress", "ahead_pp")}
            assert stored == {
                "completion_rate": exact(completion, 2),
                "time_progress": exact(time_progress, 2),
                "ahead_pp": exact(completion - time_progress, 2),
            }, (persons, target, month)
            found = LINE.search(f09["ahead_pp"]["text"])
            assert found, f09["ahead_pp"]["text"]
            assert float(found[1]) == stored["completion_rate"]
            printed = 0.0 if found[2] is None else float(found[3]) * (1 if found[2] == "超" else -1)
            assert printed == stored["ahead_pp"], (persons, target, month)
            checked += 1
    assert checked == 12 * 29


def test_rates_means_and_medians_are_stored_as_printed(con) -> None:
    rng = random.Random(1500)
    incomes = [round(rng.uniform(900, 4000), rng.choice((0, 1, 2))) for _ in range(40)]
    incomes[2:4] = [1509.5, 1510.49]  # a half and a near-half
    # Channel 30: two people, 1000.01 and 1000.02 yuan; exact median and mean 1000.015 →
    # 1000.02, where rounding the binary double (1000.01499…) gave 1000.01.
    incomes[:2] = [1000.01, 1000.02]
    channels = ["30", "30"] + ["10", "22"] * 19
    load(
        con,
        "XH",
        "2024-05",
        datetime(2024, 6, 3),
        [
            placement(person(n), date(2024, 5, 2), income=income, channel=channels[n])
            for n, income in enumerate(incomes)
        ],
    )
    figs = compute_figures(
        con,
        date(2024, 5, 31),
        None,
        {"placements": 3000, "events": 7, "new_stations": 3},
        on_time_day=on_time_day(),
    )
    rows = {(r["figure"], r["measure"], r["category"]): r for r in fill_texts(figs.to_dicts())}

    cents = [Fraction(round(x * 100), 100) for x in incomes]
    assert rows[("F11", "median_income", None)]["value"] == exact(Fraction(median(cents)), 2)
    assert rows[("F11", "mean_income", None)]["value"] == exact(sum(cents) / len(cents), 2)
    assert rows[("F11", "median_income", "30")]["value"] == 1000.02
    assert rows[("F11", "mean_income", "30")]["value"] == 1000.02
    for rollup in ("10", "22", "30"):
        mine = [c for n, c in enumerate(cents) if channels[n] == rollup]
        assert rows[("F11", "median_income", rollup)]["value"] == exact(Fraction(median(mine)), 2)
        assert rows[("F11", "mean_income", rollup)]["value"] == exact(sum(mine) / len(mine), 2)
    # The narrated median is the stored value in the bureau's idiom.
    district = rows[("F11", "median_income", None)]
    assert district["text"] == approx_yuan(district["value"])

    # F07: no events of 7; F08: stations opened in 2024 (NF) of 3 → 33.33, stored as printed.
    assert rows[("F07", "completion_rate", None)]["value"] == 0
    opened = rows[("F08", "opened_this_year", None)]["value"]
    assert rows[("F08", "completion_rate", None)]["value"] == exact(
        Fraction(int(opened) * 100, 3), 2
    )
    for (figure, measure, _), row in rows.items():
        if row["value"] is not None and figure in ("F07", "F08", "F09", "F10", "F11"):
            assert row["value"] == round(row["value"], 2), (figure, measure)


def test_round_ratio_is_exact_half_away_from_zero(con) -> None:
    rng = random.Random(7)
    cases = [
        (
            rng.randint(-(10**9), 10**9),
            rng.choice((1, -1)) * rng.randint(1, 10**6),
            rng.randint(0, 3),
        )
        for _ in range(3000)
    ]
    cases += [(1, 8, 2), (-1, 8, 2), (5, 2, 0), (-5, 2, 0), (1005, 1000, 2), (0, 3, 2)]
    con.register("cases", pl.DataFrame(cases, schema=["n", "d", "p"], orient="row"))
    got = con.execute("select core.round_ratio(n, d, p) from cases order by n, d, p").fetchall()
    cases.sort()
    assert [g[0] for g in got] == [exact(Fraction(n, d), p) for n, d, p in cases]
    assert con.execute(
        "select core.round_ratio(1, 0, 2), core.round_ratio(null, 3, 2)"
    ).fetchall() == [(None, None)]
