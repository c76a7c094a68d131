"""The demo returns satisfy the article's figures, counted here independently of the pipeline.

The workbooks are read back with openpyxl and every constraint is recounted from the cells
(distinct ID numbers, own GB 11643 / GB 32100 checks), taking the latest delivered version
of each station-month.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from doorstep.demo import generate_demo_returns
from tests.factories import gb11643_valid

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CHANNEL_LABELS = {
    "单位就业": "10",
    "自主创业": "21",
    "灵活就业": "22",
    "居家就业": "23",
    "辅助性就业": "24",
    "公益性岗位": "30",
    "其他": "99",
}


def uscc_is_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


@dataclass
class Return:
    path: Path
    station: str
    period: str
    received: datetime
    sheets: dict[str, list[dict[str, object]]]


def read_table(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(
        i for i, r in enumerate(rows) if r and r[0] is not None and len([c for c in r if c]) > 2
    )
    header = [str(c) for c in rows[header_at]]
    out = []
    for r in rows[header_at + 1 :]:
        if all(c is None for c in r):
            continue
        if isinstance(r[0], str) and r[0].startswith("填报单位"):
            break
        out.append(dict(zip(header, r, strict=False)))
    return out


def read_return(path: Path) -> Return:
    wb = openpyxl.load_workbook(path)
    cover = {str(r[0]): r[1] for r in wb["填报信息"].iter_rows(values_only=True)}
    sheets = {name: read_table(wb[name]) for name in wb.sheetnames if name != "填报信息"}
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月", str(cover["报告期"]))
    assert m, path.name
    period = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    received = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)
    return Return(path, str(cover["服务站编码"]), period, received, sheets)


def period_end(period: str) -> date:
    y, m = int(period[:4]), int(period[5:])
    return date(y + m // 12, m % 12 + 1, 1).fromordinal(
        date(y + m // 12, m % 12 + 1, 1).toordinal() - 1
    )


def placement_is_valid(row: dict[str, object], period: str) -> bool:
    idn = row["身份证号码"]
    if not gb11643_valid(idn):
        return False
    assert isinstance(idn, str)
    if row["性别"] != ("男" if int(idn[16]) % 2 else "女"):
        return False
    income = row["月收入(元)"]
    if not isinstance(income, (int, float)) or not 0 < income <= 50000:
        return False
    placed = row["就业日期"]
    if not isinstance(placed, datetime) or placed.date() > period_end(period):
        return False
    if "残疾人" in str(row["人员类别"]) and not (
        row["残疾人证号"] and len(str(row["残疾人证号"])) == 20
    ):
        return False
    return bool(re.fullmatch(r"1[3-9]\d{9}", str(row["联系电话"])))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo_inbox")
    generate_demo_returns(path)
    return path


@pytest.fixture(scope="module")
def latest(inbox: Path) -> dict[tuple[str, str], Return]:
    current: dict[tuple[str, str], Return] = {}
    for path in sorted(inbox.glob("*.xlsx")):
        ret = read_return(path)
        key = (ret.station, ret.period)
        if key not in current or ret.received > current[key].received:
            current[key] = ret
    return current


@pytest.fixture(scope="module")
def placements(latest: dict[tuple[str, str], Return]) -> list[dict[str, object]]:
    """Valid placement rows of the current versions, with station and period attached."""
    out = []
    for (station, period), ret in latest.items():
        for row in ret.sheets.get("就业帮扶台账", []):
            if placement_is_valid(row, period):
                out.append(
                    {**row, "station": station, "period": period, "placed": row["就业日期"].date()}
                )  # type: ignore[union-attr]
    return out


def in_2024(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [r for r in rows if date(2024, 1, 1) <= r["placed"] <= date(2024, 5, 31)]  # type: ignore[operator]


def test_demo_persons_placed_in_2024_are_near_200(placements: list[dict[str, object]]) -> None:
    persons = {r["身份证号码"] for r in in_2024(placements)}
    assert 185 <= len(persons) <= 199, len(persons)


def test_demo_has_repeat_placements_that_count_once(placements: list[dict[str, object]]) -> None:
    months_by_station: dict[tuple[object, object], set[object]] = defaultdict(set)
    stations: dict[object, set[object]] = defaultdict(set)
    for r in in_2024(placements):
        months_by_station[(r["身份证号码"], r["station"])].add(r["period"])
        stations[r["身份证号码"]].add(r["station"])
    assert sum(len(m) > 1 for m in months_by_station.values()) >= 2
    assert sum(len(s) > 1 for s in stations.values()) >= 2


def test_demo_jiang_hua_disabled_persons_since_opening(placements: list[dict[str, object]]) -> None:
    jh = [r for r in placements if r["station"] == "JH" and "残疾人" in str(r["人员类别"])]
    assert len({r["身份证号码"] for r in jh if r["placed"] <= date(2024, 5, 31)}) == 23
    assert len({r["身份证号码"] for r in jh if r["placed"] <= date(2023, 4, 30)}) == 13
    channels = [
        CHANNEL_LABELS.get(str(r["就业方式"]), str(r["就业方式"]))
        for r in placements
        if r["station"] == "JH"
    ]
    assert sum(c in {"23", "24"} for c in channels) / len(channels) >= 0.8


def test_demo_xing_nan_press_on_nails_training(latest: dict[tuple[str, str], Return]) -> None:
    employed = 0
    for ret in latest.values():
        for row in ret.sheets.get("技能培训", []):
            assert row["结业后就业人数"] <= row["结业人数"] <= row["培训人数"]  # type: ignore[operator]
            if ret.station == "XN" and row["培训项目"] == "穿戴甲培训":
                employed += int(row["结业后就业人数"])  # type: ignore[call-overload]
    assert 31 <= employed <= 39, employed


def test_demo_na_fu_persons_in_2024(placements: list[dict[str, object]]) -> None:
    persons = {r["身份证号码"] for r in in_2024(placements) if r["station"] == "NF"}
    assert 11 <= len(persons) <= 19, len(persons)


def test_demo_cai_ba_dou_jobs_in_every_return(latest: dict[tuple[str, str], Return]) -> None:
    wh = sorted((p, r) for (s, p), r in latest.items() if s == "WH")
    seen = 0
    for period, ret in wh:
        rows = [r for r in ret.sheets["孵化企业"] if r["企业名称"] == "江苏财八斗电子商务有限公司"]
        if period < "2023-03":
            assert not rows
            continue
        assert len(rows) == 1, period
        assert 11 <= rows[0]["带动就业人数"] <= 19  # type: ignore[operator]
        assert uscc_is_valid(str(rows[0]["统一社会信用代码"]))
        seen += 1
    assert seen == len([p for p, _ in wh if p >= "2023-03"]) > 0


def test_demo_median_income_is_1500_something(placements: list[dict[str, object]]) -> None:
    rows = in_2024(placements)
    by_row = statistics.median(float(r["月收入(元)"]) for r in rows)  # type: ignore[arg-type]
    first: dict[object, dict[str, object]] = {}
    for r in sorted(rows, key=lambda r: (r["placed"], r["station"])):  # type: ignore[arg-type, return-value]
        first.setdefault(r["身份证号码"], r)
    by_person = statistics.median(float(r["月收入(元)"]) for r in first.values())  # type: ignore[arg-type]
    assert 1510 <= by_row <= 1599, by_row
    assert 1510 <= by_person <= 1599, by_person


def test_demo_events_in_2024(latest: dict[tuple[str, str], Return]) -> None:
    events = [
        r
        for (s, p), ret in latest.items()
        if p >= "2024-01"
        for r in ret.sheets.get("创业活动", [])
    ]
    assert 8 <= len(events) <= 10
    assert len({r["活动类型"] for r in events}) >= 3


def test_demo_zero_employment_households_cleared_within_month(
    latest: dict[tuple[str, str], Return],
) -> None:
    # The sheet is a register: each station's May 2024 return is its stock at the as-of date.
    register = [
        r
        for (s, p), ret in latest.items()
        if p == "2024-05"
        for r in ret.sheets.get("零就业家庭", [])
    ]
    identified_2024 = {r["家庭编号"] for r in register if r["认定日期"].year == 2024}  # type: ignore[union-attr]
    assert len(identified_2024) >= 3
    assert all(r["状态"] == "已清零" for r in register)
    for ret in latest.values():
        for r in ret.sheets.get("零就业家庭", []):
            assert r["状态"] == "已清零" and r["清零方式"]
            assert r["清零日期"].strftime("%Y-%m") == r["认定日期"].strftime("%Y-%m")  # type: ignore[union-attr]
            assert gb11643_valid(r["户主身份证号码"])
    heads = defaultdict(set)
    for ret in latest.values():
        for r in ret.sheets.get("零就业家庭", []):
            heads[r["家庭编号"]].add(r["户主身份证号码"])
    assert all(len(ids) == 1 for ids in heads.values())  # the same household, month after month


def test_demo_categories_and_channels_cover_the_code_lists(
    placements: list[dict[str, object]],
) -> None:
    labels = [str(r["人员类别"]).split("、") for r in placements]
    assert {c for cats in labels for c in cats} == {
        "低收入人口",
        "残疾人",
        "特困职工家庭成员",
        "零就业家庭成员",
        "大龄失业人员",
    }
    assert any(len(cats) == 2 for cats in labels)
    assert any(cats == ["残疾人", "低收入人口"] for cats in labels)
    channels = {CHANNEL_LABELS.get(str(r["就业方式"]), str(r["就业方式"])) for r in placements}
    assert {"10", "21", "22", "23", "24", "30"} <= channels


def test_demo_bad_rows_are_exactly_the_planned_ones(latest: dict[tuple[str, str], Return]) -> None:
    bad = [
        (s, p)
        for (s, p), ret in latest.items()
        for r in ret.sheets.get("就业帮扶台账", [])
        if not placement_is_valid(r, p)
    ]
    assert sorted(bad) == [
        ("WH", "2024-02"),
        ("XF", "2024-03"),
        ("XH", "2023-10"),
        ("XN", "2024-05"),
    ]


def test_demo_delivery_times_late_missing_and_resubmitted(inbox: Path) -> None:
    names = {p.name for p in inbox.glob("*.xlsx")}
    assert "XF_2023-08.xlsx" not in names
    assert "NF_2023-12.xlsx" not in names and "NF_2024-01.xlsx" in names

    def received(name: str) -> datetime:
        return datetime.fromtimestamp((inbox / name).stat().st_mtime, tz=UTC).replace(tzinfo=None)

    assert received("XH_2024-05.xlsx") == datetime(2024, 6, 3, 9, 0)
    late = [n for n in names if received(n).day > 5 and "更正" not in n]
    assert len(late) >= 3
    assert received("XH_2024-04_更正.xlsx") == datetime(2024, 5, 20, 15, 30)
    original = read_return(inbox / "XH_2024-04.xlsx").sheets["就业帮扶台账"]
    fixed = read_return(inbox / "XH_2024-04_更正.xlsx").sheets["就业帮扶台账"]
    assert len(original) == len(fixed)
    assert sum(a != b for a, b in zip(original, fixed, strict=True)) == 2


def test_demo_cells_are_typed_like_the_template(inbox: Path) -> None:
    wb = openpyxl.load_workbook(inbox / "JH_2024-01.xlsx")
    ws = wb["就业帮扶台账"]
    assert str(ws["A1"].value).startswith("海州区家门口就业服务站就业帮扶台账（2024年1月）")
    assert ws["D3"].number_format == "@" and isinstance(ws["D3"].value, str)
    assert isinstance(ws["J3"].value, datetime)
    assert any(str(c.value).startswith("填报单位") for c in ws["A"] if c.value)
