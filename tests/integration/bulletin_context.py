"""A hand-built, realistic BulletinContext: six stations, end of May 2024, as in the article."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from typing import Any

from doorstep.bulletin.context import BulletinContext
from doorstep.bulletin.narrative import fill_texts
from foundation.reference import REFERENCE_DIR
from tests.factories import figure_row

AS_OF = date(2024, 5, 31)
DATA_VERSION = "9f2c4e1a7b3d5f60" + "0" * 40 + "c0ffee42"
CODE_VERSION = "0.1.0+g1a2b3c4"

STATIONS = [
    ("XH", "星化社区家门口就业服务站", "新海街道", "2023-01-01", "community"),
    ("WH", "文化社区家门口就业服务站", "幸福路街道", "2023-01-01", "incubator"),
    ("XF", "西凤社区家门口就业服务站", "郁洲街道", "2023-03-01", "community"),
    ("JH", "江化社区助残就业点", "幸福路街道", "2023-01-01", "disability"),
    ("XN", "幸南社区家门口就业试点", "幸福路街道", "2023-06-01", "training"),
    ("NF", "纳福商学院", "海州区", "2024-01-01", "training"),
]


def figures(f01: int = 192) -> list[dict[str, Any]]:
    rows = [figure_row("F01", "ytd", "persons", f01)]
    monthly = [28, 22, 41, 49, f01 - 140]
    rows += [
        figure_row("F01", "month", "persons", n, None, f"2024-{m:02d}")
        for m, n in enumerate(monthly, 1)
    ]
    rows += [
        figure_row("F02", "ytd", "persons", n, None, c)
        for c, n in [("01", 88), ("02", 61), ("03", 34), ("04", 21), ("05", 27)]
    ]
    attributed = {"XH": 38, "WH": 35, "XF": 29, "JH": 41, "XN": 31, "NF": f01 - 174}
    own = {"XH": 40, "WH": 36, "XF": 30, "JH": 41, "XN": 33, "NF": f01 - 174}
    for code, *_ in STATIONS:
        rows.append(figure_row("F03", "ytd", "persons_attributed", attributed[code], code))
        rows.append(figure_row("F03", "ytd", "persons_own", own[code], code))
    disabled = {"XH": 6, "WH": 4, "XF": 3, "JH": 23, "XN": 1, "NF": 0}
    rows += [
        figure_row("F04", "since_opening", "disabled_persons", n, s) for s, n in disabled.items()
    ]
    rows.append(figure_row("F04", "since_opening", "disabled_persons", sum(disabled.values())))
    projects = [
        ("XN", "穿戴甲", 4, 52, 47, 34),
        ("NF", "电商运营", 3, 28, 25, 12),
        ("WH", "残疾人电商专题培训班", 2, 24, 22, 9),
        ("XH", "家政服务", 2, 30, 28, 16),
    ]
    for station, project, *values in projects:
        for measure, v in zip(
            ("courses", "trainees", "completed", "employed_after"), values, strict=True
        ):
            rows.append(figure_row("F05", "since_opening", measure, v, station, project))
    for measure, v in zip(
        ("courses", "trainees", "completed", "employed_after"), (7, 98, 90, 51), strict=True
    ):
        rows.append(figure_row("F05", "ytd", measure, v))
    companies = [
        ("WH", "江苏财八斗电子商务有限公司", 14, 11),
        ("WH", "连云港智翼文化传媒有限公司", 6, 3),
        ("XH", "星化便民家政服务社", 8, 5),
    ]
    for station, company, jobs, hardship in companies:
        rows.append(figure_row("F06", "period_end", "jobs", jobs, station, company))
        rows.append(figure_row("F06", "period_end", "hardship_jobs", hardship, station, company))
    rows += [
        figure_row("F06", "period_end", "businesses", 3),
        figure_row("F06", "period_end", "jobs", 28),
        figure_row("F06", "period_end", "hardship_jobs", 19),
    ]
    rows += [
        figure_row("F07", "ytd", "events", n, None, t)
        for t, n in [("政策研读讲座", 3), ("创业培训班", 2), ("创业沙龙", 2), ("创业大赛", 1)]
    ]
    rows += [
        figure_row("F07", "ytd", "events", 8),
        figure_row("F07", "ytd", "target", 20),
        figure_row("F07", "ytd", "completion_rate", 40.0),
        figure_row("F08", "period_end", "stations_operating", 6),
        figure_row("F08", "period_end", "opened_this_year", 1),
        figure_row("F08", "period_end", "target", 6),
        figure_row("F08", "period_end", "completion_rate", 100 / 6),
        figure_row("F09", "ytd", "persons", f01),
        figure_row("F09", "ytd", "target", 3000),
        figure_row("F09", "ytd", "completion_rate", f01 / 30),
        figure_row("F09", "ytd", "time_progress", 500 / 12),
        figure_row("F09", "ytd", "ahead_pp", f01 / 30 - 500 / 12),
        figure_row("F10", "period_end", "uncleared", 1),
        figure_row("F10", "period_end", "target", 0),
        figure_row("F10", "ytd", "identified", 4),
        figure_row("F10", "ytd", "cleared", 3),
        figure_row("F10", "ytd", "mean_days_to_clear", 12.3),
        figure_row("F11", "ytd", "median_income", 1560),
        figure_row("F11", "ytd", "mean_income", 1618.4),
        figure_row("F11", "ytd", "median_income", 2100, None, "10"),
        figure_row("F11", "ytd", "mean_income", 2230.5, None, "10"),
        figure_row("F11", "ytd", "median_income", 1520, None, "22"),
        figure_row("F11", "ytd", "mean_income", 1498.2, None, "22"),
        figure_row("F11", "ytd", "median_income", 1800, None, "30"),
        figure_row("F11", "ytd", "mean_income", 1800, None, "30"),
        figure_row("F12", "ytd", "persons_subsidised", 57),
    ]
    return rows


def returns_register() -> list[dict[str, Any]]:
    """Every delivery of every station-month, Jan–May 2024, as marts.returns_register has them.

    January to April all on time. May: XH, JH, NF on time; WH late; XF on time and then
    resubmitted (two deliveries, the second current); XN missing.
    """
    register = []

    def delivery(code: str, month: int, status: str, day: int | None, current: bool) -> None:
        missing = status == "missing"
        register.append(
            {
                "station_code": code,
                "period": f"2024-{month:02d}",
                "status": status,
                "file_name": None if missing else f"{code}_2024-{month:02d}.xlsx",
                "received_at": None if day is None else datetime(2024, month + 1, day, 9, 30),
                "rows_received": None if missing else 31 + month,
                "rows_accepted": None if missing else 30 + month,
                "rows_quarantined": None if missing else 1,
                "is_current": current,
            }
        )

    for month in range(1, 5):
        for code, *_ in STATIONS:
            delivery(code, month, "on_time", 3, True)
    for code in ("XH", "JH", "NF"):
        delivery(code, 5, "on_time", 3, True)
    delivery("WH", 5, "late", 16, True)
    delivery("XF", 5, "on_time", 4, False)
    delivery("XF", 5, "resubmitted", 9, True)
    delivery("XN", 5, "missing", None, False)
    return register


def definitions() -> list[dict[str, Any]]:
    with (REFERENCE_DIR / "figures.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def context(f01: int = 192, revisions: list[dict[str, Any]] | None = None) -> BulletinContext:
    return BulletinContext(
        as_of=AS_OF,
        known_at=None,
        issue_no="2024年第5期",
        figures=fill_texts(figures(f01)),
        stations=[
            {
                "station_code": c,
                "name": n,
                "street": s,
                "opened_on": date.fromisoformat(o),
                "kind": k,
            }
            for c, n, s, o, k in STATIONS
        ],
        returns_register=returns_register(),
        quarantine_by_reason=[
            {
                "reason_code": "ID_TYPED_AS_NUMBER",
                "message_zh": "身份证号码被Excel当作数字保存，末几位已丢失，无法恢复",
                "rows": 3,
            },
            {"reason_code": "CATEGORY_INVALID", "message_zh": "人员类别无法识别", "rows": 2},
            {"reason_code": "REQUIRED_MISSING", "message_zh": "必填项为空", "rows": 1},
        ],
        revisions=revisions
        if revisions is not None
        else [
            {
                "figure": "F01",
                "label": "服务站帮扶困难人员就业人数",
                "period": "2024-04",
                "measure": "persons",
                "old_value": 138.0,
                "new_value": 140.0,
                "cause": "西凤社区家门口就业服务站重报4月报表",
            }
        ],
        definitions=definitions(),
        data_version=DATA_VERSION,
        code_version=CODE_VERSION,
    )


def province_context(n_stations: int, months: int = 5) -> BulletinContext:
    """A synthetic context of ``n_stations`` stations (ten to a street), as of the end of
    month ``months`` of 2024 with a register from January, shaped like the demo's: every station has its F03/F04 rows and its
    register, every second one a training project, every third an incubated company,
    and the people breakdown is published station × category (cells as text, "*" where
    hidden). For the bulletin's scaling (benchmarks/bench_bulletin.py and its test)."""
    codes = [f"S{i:03d}" for i in range(1, n_stations + 1)]
    stations = [
        {
            "station_code": code,
            "name": f"第{i + 1}社区家门口就业服务站",
            "street": f"第{i // 10 + 1}街道",
            "opened_on": date(2024 if i % 25 == 7 else 2023, 1 + i % 12, 1),
            "kind": "disability" if i % 40 == 3 else "community",
        }
        for i, code in enumerate(codes)
    ]
    rows = [
        r
        for r in figures()
        if r["station"] is None and r["figure"] != "F06" and r["measure"] != "stations_operating"
    ]
    rows.append(figure_row("F08", "period_end", "stations_operating", n_stations))
    total_f06 = {"businesses": 0, "jobs": 0, "hardship_jobs": 0}
    for i, code in enumerate(codes):
        own = 5 + (i * 7) % 31
        rows.append(figure_row("F03", "ytd", "persons_attributed", own - i % 3, code))
        rows.append(figure_row("F03", "ytd", "persons_own", own, code))
        rows.append(figure_row("F04", "since_opening", "disabled_persons", i % 9, code))
        if i % 2 == 0:
            values = (1 + i % 3, 12 + i % 20, 10 + i % 18, 4 + i % 11)
            for measure, v in zip(
                ("courses", "trainees", "completed", "employed_after"), values, strict=True
            ):
                rows.append(figure_row("F05", "since_opening", measure, v, code, f"项目{i}"))
        if i % 3 == 0:
            jobs, hardship = 6 + i % 13, 5 + i % 5
            rows.append(figure_row("F06", "period_end", "jobs", jobs, code, f"企业{i}有限公司"))
            rows.append(
                figure_row("F06", "period_end", "hardship_jobs", hardship, code, f"企业{i}有限公司")
            )
            total_f06["businesses"] += 1
            total_f06["jobs"] += jobs
            total_f06["hardship_jobs"] += hardship
    rows += [figure_row("F06", "period_end", m, v) for m, v in total_f06.items()]
    register = []
    for month in range(1, months + 1):
        for i, code in enumerate(codes):
            missing = month == months and i % 17 == 5
            register.append(
                {
                    "station_code": code,
                    "period": f"2024-{month:02d}",
                    "status": "missing" if missing else ("late" if i % 11 == 2 else "on_time"),
                    "file_name": None if missing else f"{code}_2024-{month:02d}.xlsx",
                    "received_at": None if missing else datetime(2024, month, 28, 9, 30),
                    "rows_received": None if missing else 31,
                    "rows_accepted": None if missing else 30,
                    "rows_quarantined": None if missing else 1,
                    "is_current": not missing,
                }
            )
    categories = ("01", "02", "03", "04", "05")
    station_category = [
        {
            "station_code": code,
            "category": c,
            "persons": "*" if (i + j) % 7 == 0 else str(5 + (i + 3 * j) % 17),
        }
        for i, code in enumerate(codes)
        for j, c in enumerate(categories)
    ]
    category_gender = [
        {"category": c, "gender": g, "persons": str(20 + 3 * j + (g == "女"))}
        for j, c in enumerate(categories)
        for g in ("男", "女")
    ]
    base = context()
    as_of = date(2024 + months // 12, months % 12 + 1, 1) - timedelta(days=1)
    return BulletinContext(
        as_of=as_of,
        known_at=None,
        issue_no="2024年第5期",
        figures=fill_texts(rows),
        stations=stations,
        returns_register=register,
        quarantine_by_reason=base.quarantine_by_reason,
        revisions=base.revisions,
        definitions=base.definitions,
        data_version=DATA_VERSION,
        code_version=CODE_VERSION,
        disclosure={
            "level": "station_category",
            "station_category": station_category,
            "category_gender": category_gender,
            "hidden_figures": [],
            "max_starred_share": [1, 3],
            "min_range": 5,
            "min_persons_for_average": 5,
            "small_min": 1,
            "small_max": 4,
        },
    )
