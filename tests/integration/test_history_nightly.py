"""History as operators live it: returns arrive night by night, a station resubmits a
month already published, the next bulletin lists the revisions, and the earlier bulletin
can still be reproduced byte for byte from the warehouse history.

Night A (as of 2024-04-30) sees every demo return delivered up to 2024-05-10; night B
(as of 2024-05-31) the rest: the May returns and `XH_2024-04_更正.xlsx` (delivered
2024-05-20). Files are copied into the inbox with their delivery mtimes, which the
pipeline takes as `received_at`.

Expected revisions are worked out from the workbooks with openpyxl (not with the
pipeline's readers): which cells the correction changes, and what the income figures
(F11) are before and after it.
"""

from __future__ import annotations

import csv
import re
import shutil
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from doorstep import pipeline
from doorstep.cli import app
from doorstep.demo import generate_demo_returns
from doorstep.settings import Settings
from tests.conftest import TEST_KEY
from tests.factories import gb11643_valid, settings_at

APRIL = date(2024, 4, 30)
MAY = date(2024, 5, 31)
NIGHT_A_CUTOFF = datetime(2024, 5, 11)  # night A has what was delivered up to 2024-05-10
CORRECTION = "XH_2024-04_更正.xlsx"
ORIGINAL = "XH_2024-04.xlsx"
DEMO = Path(pipeline.__file__).parent / "demo"
REFERENCE = Path(pipeline.__file__).parent / "reference"
FIGURE_KEY = ("figure", "scope", "station", "category", "measure")


# ------------------------------------------------------------------ reading the workbooks


def _received(path: Path) -> datetime:
    return datetime.utcfromtimestamp(path.stat().st_mtime)


def _sheet_rows(path: Path, sheet: str, marker: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and marker in r)
    names = [str(c) if c is not None else "" for c in rows[head]]
    return [
        dict(zip(names, r, strict=False))
        for r in rows[head + 1 :]
        if r and any(c is not None for c in r) and not str(r[0] or "").startswith("填报单位")
    ]


def _placements(path: Path) -> list[dict[str, Any]]:
    return _sheet_rows(path, "就业帮扶台账", "身份证号码")


def _cover(path: Path) -> dict[str, Any]:
    sheet = openpyxl.load_workbook(path, read_only=True)["填报信息"]
    return {str(r[0]).strip(): r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}


def _station_period(path: Path) -> tuple[str, str]:
    cover = _cover(path)
    m = re.match(r"(\d{4})年(\d{1,2})月", str(cover["报告期"]))
    assert m, cover["报告期"]
    return str(cover["服务站编码"]), f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _counts(row: dict[str, Any], period: str) -> bool:
    """The template's row rules that matter for the demo's placements."""
    id_number = str(row["身份证号码"] or "").upper()
    placed = _as_date(row["就业日期"])
    income = row["月收入(元)"]
    y, m = map(int, period.split("-"))
    month_after = date(y + m // 12, m % 12 + 1, 1)
    return (
        gb11643_valid(id_number)
        and placed is not None
        and placed < month_after
        and isinstance(income, int | float)
        and 0 < income <= 50000
        and row["性别"] == ("男" if int(id_number[16]) % 2 else "女")
        and ("残疾" not in str(row["人员类别"]) or bool(row.get("残疾人证号")))
    )


def _channel_rollups() -> dict[str, str]:
    """Every way a clerk writes a channel (code, label, alias) → its rollup code."""
    out: dict[str, str] = {}
    with (REFERENCE / "channels.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for name in [row["code"], row["label"], *filter(None, row["aliases"].split("|"))]:
                out[name] = row["rollup"]
    return out


def _round2(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def income_figures(files: list[Path], as_of: date) -> dict[tuple[Any, ...], float]:
    """F11 as of `as_of` from the current return of each station-month among `files`:
    median and mean income of the persons placed this year, each at their first
    placement, for the district and by channel rollup."""
    latest: dict[tuple[str, str], Path] = {}
    for path in files:
        key = _station_period(path)
        if key not in latest or _received(latest[key]) < _received(path):
            latest[key] = path
    rollup = _channel_rollups()
    first: dict[str, tuple[date, float, str]] = {}
    for (_, period), path in latest.items():
        for row in _placements(path):
            placed = _as_date(row["就业日期"])
            if not _counts(row, period) or placed is None:
                continue
            if not date(as_of.year, 1, 1) <= placed <= as_of:
                continue
            person = str(row["身份证号码"]).upper()
            found = (placed, float(row["月收入(元)"]), rollup[str(row["就业方式"]).strip()])
            if person not in first or found[0] < first[person][0]:
                first[person] = found
    groups: dict[str | None, list[float]] = {None: [f[1] for f in first.values()]}
    for _, income, channel in first.values():
        groups.setdefault(channel, []).append(income)
    out: dict[tuple[Any, ...], float] = {}
    for category, incomes in groups.items():
        for measure, value in (
            ("median_income", statistics.median(incomes)),
            ("mean_income", statistics.fmean(incomes)),
        ):
            out[("F11", "本年累计", None, category, measure)] = _round2(value)
    return out


# ------------------------------------------------------------------ the two nights


@dataclass
class History:
    settings: Settings
    source: dict[str, Path]  # every demo return by file name, with its delivery mtime
    night_a: list[Path]
    night_b: list[Path]
    result_a: pipeline.FiguresResult
    result_b: pipeline.FiguresResult
    pdf_a: Path  # copies of the PDFs as published each night
    pdf_b: Path
    known_at_a: datetime  # what raw.bulletins pinned night A's bulletin to


def _night(settings: Settings, files: list[Path], as_of: date) -> pipeline.FiguresResult:
    for path in sorted(files, key=_received):
        shutil.copy2(path, settings.inbox / path.name)
    batch = pipeline.validate(pipeline.ingest(settings), settings)
    pipeline.load(batch, settings)
    return pipeline.figures(settings, as_of, known_at=None)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    # The bulletin states the code version, which includes git HEAD; in a checkout shared
    # with others committing, HEAD may move between two renders. Without a repository
    # git fails and the version is the package's alone, as in an installed copy.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GIT_DIR", str(tmp_path_factory.mktemp("no-git") / "none"))
        yield _two_nights(tmp_path_factory.mktemp("history"))


def _two_nights(root: Path) -> History:
    source = {p.name: p for p in generate_demo_returns(root / "delivered")}
    settings = settings_at(root / "home")
    night_a = [p for p in source.values() if _received(p) < NIGHT_A_CUTOFF]
    night_b = [p for p in source.values() if _received(p) >= NIGHT_A_CUTOFF]

    result_a = _night(settings, night_a, APRIL)
    pdf_a = shutil.copy(pipeline.bulletin(settings, result_a), root / "night-a.pdf")
    result_b = _night(settings, night_b, MAY)
    pdf_b = shutil.copy(pipeline.bulletin(settings, result_b), root / "night-b.pdf")

    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        pinned = con.execute("select known_at from raw.bulletins where as_of = ?", [APRIL])
        (known_at_a,) = (row[0] for row in pinned.fetchall())
    finally:
        con.close()
    return History(
        settings,
        source,
        night_a,
        night_b,
        result_a,
        result_b,
        Path(pdf_a),
        Path(pdf_b),
        known_at_a,
    )


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in FIGURE_KEY)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


# ------------------------------------------------------------------ tests


def test_the_two_nights_split_the_deliveries_as_planned(history: History) -> None:
    """Guards the scenario itself: the correction and the May returns arrive on night B."""
    assert CORRECTION in {p.name for p in history.night_b}
    assert ORIGINAL in {p.name for p in history.night_a}
    assert {_station_period(p)[1] for p in history.night_b} == {"2024-04", "2024-05"}
    assert not any(_station_period(p)[1] == "2024-05" for p in history.night_a)
    # Night A's bulletin is pinned to the last delivery it saw.
    assert history.known_at_a == max(_received(p) for p in history.night_a)


def _expected_revisions(history: History) -> dict[tuple[Any, ...], tuple[float, float]]:
    """F11 rows of the April bulletin whose value the correction changes: old → new."""
    before = income_figures(history.night_a, APRIL)
    after = income_figures(history.night_a + history.night_b, APRIL)
    return {
        k: (before[k], after[k])
        for k in before.keys() | after.keys()
        if before.get(k) != after.get(k)
    }


def test_correction_changes_one_income_and_one_employer(history: History) -> None:
    """What XH_2024-04_更正.xlsx changes, cell by cell: the income of row 2 and the employer
    and job of row 5 — nothing that decides whether or how a person counts elsewhere."""
    old = _placements(history.source[ORIGINAL])
    new = _placements(history.source[CORRECTION])
    assert [r["序号"] for r in old] == [r["序号"] for r in new]
    changed = {
        o["序号"]: {k for k in o if o[k] != n[k]} for o, n in zip(old, new, strict=True) if o != n
    }
    assert changed == {2: {"月收入(元)"}, 5: {"就业单位", "就业岗位"}}
    row2 = next(o for o in old if o["序号"] == 2)
    assert _counts(row2, "2024-04")
    assert _station_period(history.source[CORRECTION]) == ("XH", "2024-04")
    # An income change moves F11 only; employer and job feed no figure. So the expected
    # revisions are exactly the F11 rows whose value the new income changes.
    expected = _expected_revisions(history)
    assert expected, "the corrected income must move at least the district mean"
    assert {k[0] for k in expected} == {"F11"}


def test_may_bulletin_lists_exactly_the_revised_april_figures(history: History) -> None:
    expected = _expected_revisions(history)
    revisions = history.result_b.revisions
    got = {_key(r): (r["old_value"], r["new_value"]) for r in revisions}
    assert len(got) == len(revisions)
    assert set(got) == set(expected)
    for key, (old, new) in expected.items():
        assert got[key] == pytest.approx((old, new), abs=0.0051), key
    # The old values are what night A published.
    published_a = {_key(r): r["value"] for r in history.result_a.figures}
    for key, (old, _) in got.items():
        assert published_a[key] == old
    for r in revisions:
        assert r["period"] == "2024-04"
        assert CORRECTION in (r["cause"] or "").split("、")
        assert r["label"] == _revision_label(r["category"])


def _revision_label(channel: str | None) -> str:
    """F11's label, with the channel's name when the row is about one channel."""
    with (REFERENCE / "channels.csv").open(encoding="utf-8", newline="") as fh:
        names = {row["code"]: row["label"] for row in csv.DictReader(fh)}
    return "月收入" if channel is None else f"月收入（{names[channel]}）"


def test_may_bulletin_pdf_shows_the_revisions_with_old_and_new_values(history: History) -> None:
    text = re.sub(r"\s", "", _pdf_text(history.pdf_b))  # extraction splits cells into words
    section = text[text.index("数据修订") :]
    section = section[: section.index("附：指标说明")] if "附：指标说明" in section else section
    assert "本期无修订" not in section
    assert CORRECTION in section
    for key, (old, new) in _expected_revisions(history).items():
        # One table row per revision: what it is about, the month, old and new value.
        assert f"{_revision_label(key[3])}2024-04" in section
        assert _as_shown(old) + _as_shown(new) in section


def _as_shown(value: float) -> str:
    """A table value: whole numbers without decimals, others to two."""
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"
    # Night A had nothing to revise.
    text_a = _pdf_text(history.pdf_a)
    assert "本期无修订" in text_a[text_a.index("数据修订") :]


@pytest.fixture(scope="module")
def april_as_known_at_a(history: History) -> pipeline.FiguresResult:
    """What `doorstep bulletin --as-of 2024-04-30 --known-at <night A's known_at>` computes
    after night B: the April figures from history, not published (pipeline.figures with
    publish=False, as the command does)."""
    return pipeline.figures(history.settings, APRIL, history.known_at_a, publish=False)


def test_april_bulletin_is_reproduced_byte_for_byte_after_the_correction(
    history: History, april_as_known_at_a: pipeline.FiguresResult
) -> None:
    result = april_as_known_at_a
    assert result.analyst_db is None
    assert result.data_version == history.result_a.data_version
    assert result.revisions == []
    # The bulletin states the pinned time, so the operator can read it off the PDF …
    stated = re.sub(r"\s", "", _pdf_text(history.pdf_a))
    assert f"数据截至{history.known_at_a:%Y-%m-%d%H:%M}" in stated
    # … and give it to the documented command.
    cli = CliRunner().invoke(
        app,
        [
            "bulletin",
            "--as-of",
            "2024-04-30",
            "--known-at",
            f"{history.known_at_a:%Y-%m-%d %H:%M}",  # exactly as the PDF prints it
        ],
        env={"DOORSTEP_HOME": str(history.settings.home), "DOORSTEP_PSEUDONYM_KEY": TEST_KEY},
        prog_name="doorstep",
    )
    assert cli.exit_code == 0, cli.output
    pdf = Path(cli.output.strip().splitlines()[-1])
    assert pdf == history.settings.bulletins / "2024-04-30.pdf"
    assert pdf.read_bytes() == history.pdf_a.read_bytes()
    # Regenerating a past bulletin records nothing, and the analyst DB is still night B's.
    con = duckdb.connect(str(history.settings.private_db), read_only=True)
    try:
        recorded = con.execute("select as_of from raw.bulletins order by as_of").fetchall()
    finally:
        con.close()
    assert recorded == [(APRIL,), (MAY,)]
    con = duckdb.connect(str(history.settings.analyst_db), read_only=True)
    try:
        as_of = con.execute("select distinct as_of from marts.figures").fetchall()
    finally:
        con.close()
    assert as_of == [(MAY,)]


def test_april_figures_as_known_before_and_after_differ_by_the_corrected_rows(
    history: History, april_as_known_at_a: pipeline.FiguresResult
) -> None:
    before = {_key(r): r["value"] for r in april_as_known_at_a.figures}
    after = {_key(r): r["value"] for r in pipeline.figure_rows(history.settings, APRIL, None)}
    assert before.keys() == after.keys()
    differ = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    # F13, the returns register, changes by design: XH 2024-04 now has a second version.
    register = {k: v for k, v in differ.items() if k[0] == "F13"}
    statistics_ = {k: v for k, v in differ.items() if k[0] != "F13"}
    expected = _expected_revisions(history)
    assert set(statistics_) == set(expected)
    for key, (old, new) in expected.items():
        assert statistics_[key] == pytest.approx((old, new), abs=0.0051), key
    assert {(k[2], k[3]) for k in register} == {("XH", "2024-04")}
    # As known at night A, the figures are those night A published.
    assert before == {_key(r): r["value"] for r in history.result_a.figures}


def _plan() -> dict[str, Any]:
    return yaml.safe_load((DEMO / "demo_plan.yaml").read_text(encoding="utf-8"))


def _statuses(result: pipeline.FiguresResult, status: str) -> set[tuple[str, str]]:
    return {
        (r["station_code"], r["period"]) for r in result.returns_register if r["status"] == status
    }


def test_late_and_missing_returns_appear_in_the_register(history: History) -> None:
    plan = _plan()
    late = {(r["station"], r["period"]) for r in plan["late_returns"]}
    missing = {(r["station"], r["period"]) for r in plan["missing_returns"]}
    for result in (history.result_a, history.result_b):
        assert _statuses(result, "逾期") == late
        assert _statuses(result, "缺报") == missing
        for r in result.returns_register:
            if r["status"] == "缺报":
                assert r["file_name"] is None
    (resubmission,) = plan["resubmissions"]
    resubmitted = {(resubmission["station"], resubmission["period"])}
    assert _statuses(history.result_a, "重报") == set()
    assert _statuses(history.result_b, "重报") == resubmitted
    correction = [r for r in history.result_b.returns_register if r["status"] == "重报"]
    assert [r["file_name"] for r in correction] == [CORRECTION]
    # Every return delivered by the 5th of the next month is on time.
    delivered = history.night_a + history.night_b
    on_time = {
        _station_period(p)
        for p in delivered
        if p.name != CORRECTION and _station_period(p) not in late
    }
    assert _statuses(history.result_b, "按时") == on_time


def test_rendering_the_same_data_twice_gives_the_same_bytes(history: History) -> None:
    """Re-rendering night B's bulletin from the warehouse gives the published bytes, twice
    (the bulletin states no wall-clock time)."""
    result = pipeline.figures(history.settings, MAY, None, publish=False)
    first = pipeline.bulletin(history.settings, result).read_bytes()
    second = pipeline.bulletin(history.settings, result).read_bytes()
    assert first == second
    assert first == history.pdf_b.read_bytes()
