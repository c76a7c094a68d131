"""The bureau's monthly cycle as operators live it: one home walked night by night from
2024-06-01 to 2024-07-08, each night with its own clock (`now` = that day 02:00, Beijing
time), returns arriving on their own nights through the delivery step.

Before the walk the home holds the demo history up to April 2024 (and the April
correction of 20 May), recorded with the arrivals the demo plan gives, and April's issue
is out (backfill). During the walk:

- the six May returns arrive on 3 June 09:00 (demo plan);
- a correction of XH's May return arrives on 12 June, after May's issue is out;
- June returns: four arrive on 3 July; NF's arrives late on 7 July; WH's is copied
  straight into the inbox on 7 July with an mtime of 1 July (no delivery record), so
  the night of 8 July records it — late, whatever its mtime says.

Expected values are worked out independently where they are numbers: the income figures
(F11) the correction revises are computed from the workbooks with openpyxl.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from doorstep import pipeline
from doorstep.cli import app
from doorstep.demo.generate import build_demo_returns
from doorstep.returns_xlsx import period_label, write_return_workbook
from foundation.reference import REFERENCE_DIR, on_time_day
from foundation.settings import Settings
from tests.conftest import TEST_KEY
from tests.factories import gb11643_valid, settings_at

FIRST_NIGHT = date(2024, 6, 1)
LAST_NIGHT = date(2024, 7, 8)
MAY_DEADLINE = datetime(2024, 6, 6)  # the end of 5 June
JUNE_DEADLINE = datetime(2024, 7, 6)
MAY_CORRECTION = "XH_2024-05_更正.xlsx"
OLD_MTIME_FILE = "WH_2024-06.xlsx"
LATE_FILE = "NF_2024-06.xlsx"
REFERENCE = REFERENCE_DIR
FIGURE_KEY = ("figure", "scope", "station", "category", "measure")


def _night_clock(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=2)


# ------------------------------------------------------------------ the deliveries


def _shift_to_june(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """May's rows as June's: every date a month on, none after 30 June."""
    out = []
    for row in rows:
        moved = dict(row)
        for key, value in row.items():
            if isinstance(value, date):
                moved[key] = min(value + timedelta(days=31), date(2024, 6, 30))
        out.append(moved)
    return out


def _write_deliveries(folder: Path) -> dict[str, datetime]:
    """Every return of the scenario in `folder`, with when it arrives."""
    arrivals: dict[str, datetime] = {}
    for name, cover, sm, delivered in build_demo_returns():
        path = write_return_workbook(folder / name, cover, sm.sheets)
        arrivals[path.name] = delivered
        if sm.period != "2024-05":
            continue
        if sm.station == "XH":
            fixed = [dict(r) for r in sm.sheets["placements"]]
            fixed[1]["monthly_income"] = int(fixed[1]["monthly_income"]) + 900
            write_return_workbook(
                folder / MAY_CORRECTION,
                {**cover, "filled_on": date(2024, 6, 12)},
                {**sm.sheets, "placements": fixed},
            )
            arrivals[MAY_CORRECTION] = datetime(2024, 6, 12, 10, 0)
        june = {sheet: _shift_to_june(list(rows)) for sheet, rows in sm.sheets.items()}
        june_cover = {**cover, "period": period_label("2024-06"), "filled_on": date(2024, 7, 2)}
        june_name = f"{sm.station}_2024-06.xlsx"
        write_return_workbook(folder / june_name, june_cover, june)
        arrivals[june_name] = (
            datetime(2024, 7, 7, 11, 0) if june_name == LATE_FILE else datetime(2024, 7, 3, 9, 0)
        )
    return arrivals


# ------------------------------------------------------------------ the walk


@dataclass
class Night:
    day: date
    now: datetime
    register: list[dict[str, Any]]  # the returns register as of yesterday, by tonight's clock
    issue: pipeline.Publication | None
    loaded: int


@dataclass
class Walk:
    settings: Settings
    folder: Path
    arrivals: dict[str, datetime]
    nights: list[Night] = field(default_factory=list)
    copies: dict[str, Path] = field(default_factory=dict)  # each issue as published


def _register(settings: Settings, as_of: date, now: datetime) -> list[dict[str, Any]]:
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        cur = con.execute(
            "select station_code, period, status, file_name, received_at "
            "from core.returns_register(?::date, ?::timestamp, ?, ?::timestamp)",
            [as_of, datetime(9999, 12, 31), on_time_day(), now],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _night(walk: Walk, day: date, delivered: set[str]) -> Night:
    """One night, step by step as the flow runs it; the draft is rendered on nights when
    something was recorded or published (on the others it would be the same)."""
    settings = walk.settings
    now = _night_clock(day)
    due = sorted(n for n, at in walk.arrivals.items() if at <= now and n not in delivered)
    for name in due:
        if name == OLD_MTIME_FILE:
            continue
        pipeline.receive(settings, [walk.folder / name], at=walk.arrivals[name], now=now)
        delivered.add(name)
    if day == date(2024, 7, 8):
        # Copied in by hand the evening before, keeping the mtime of 1 July.
        target = settings.inbox / OLD_MTIME_FILE
        shutil.copyfile(walk.folder / OLD_MTIME_FILE, target)
        old = datetime(2024, 7, 1, 8, 0).timestamp()
        os.utime(target, (old, old))
        delivered.add(OLD_MTIME_FILE)
    as_of = day - timedelta(days=1)
    ctx = pipeline.run_context(settings, now=now, as_of=as_of)
    batch = pipeline.ingest(ctx)
    loaded = len(batch.returns)
    if loaded:
        batch = pipeline.validate(batch, ctx)
        pipeline.feedback(batch, ctx)
        pipeline.load(batch, ctx)
    issue = pipeline.publish_due(ctx)
    if issue is not None:
        walk.copies[issue.period] = Path(
            shutil.copy(issue.path, walk.folder / f"{issue.period}.pdf")
        )
    if loaded or issue is not None:
        previous = pipeline.revised_issue(pipeline.published(settings), f"{as_of:%Y-%m}")
        result = pipeline.figures(ctx, previous=previous)
        pipeline.bulletin(ctx, result)
    return Night(day, now, _register(settings, as_of, now), issue, loaded)


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    # The bulletin states the code version, which includes git HEAD; in a checkout shared
    # with others committing, HEAD may move between two renders. Without a repository
    # git fails and the version is the package's alone, as in an installed copy.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GIT_DIR", str(tmp_path_factory.mktemp("no-git") / "none"))
        root = tmp_path_factory.mktemp("walk")
        folder = root / "deliveries"
        walk = Walk(settings_at(root / "home"), folder, _write_deliveries(folder))
        before = _night_clock(FIRST_NIGHT) - timedelta(hours=2)
        history = sorted((at, name) for name, at in walk.arrivals.items() if at < before)
        delivered: set[str] = set()
        for at, name in history:
            pipeline.receive(walk.settings, [folder / name], at=at, now=before)
            delivered.add(name)
        pipeline.backfill(pipeline.run_context(walk.settings, now=before), "2024-04", "2024-04")
        day = FIRST_NIGHT
        while day <= LAST_NIGHT:
            walk.nights.append(_night(walk, day, delivered))
            day += timedelta(days=1)
        yield walk


def _issues(walk: Walk) -> list[dict[str, Any]]:
    return pipeline.published(walk.settings)


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s", "", "".join(p.extract_text() or "" for p in PdfReader(path).pages))


# ------------------------------------------------------------------ due dates


def test_no_missing_return_before_its_deadline(walk: Walk) -> None:
    for night in walk.nights:
        missing = {
            (r["station_code"], r["period"]) for r in night.register if r["status"] == "missing"
        }
        if night.now < MAY_DEADLINE:
            assert not {m for m in missing if m[1] == "2024-05"}, night.day
        if night.now < JUNE_DEADLINE:
            assert not {m for m in missing if m[1] == "2024-06"}, night.day
        # Before the deadline a month without a return is not yet due.
        for r in night.register:
            if r["period"] >= "2024-05" and r["status"] == "not_yet_due":
                deadline = pipeline.deadline(r["period"], on_time_day())
                assert night.now < deadline, (night.day, r)


def test_a_return_still_missing_after_the_deadline_is_missing(walk: Walk) -> None:
    """The control: the property above can fail. NF and WH send June late."""
    july_6 = next(n for n in walk.nights if n.day == date(2024, 7, 6))
    missing = {
        (r["station_code"], r["period"])
        for r in july_6.register
        if r["status"] == "missing" and r["period"] >= "2024-05"
    }
    assert missing == {("NF", "2024-06"), ("WH", "2024-06")}
    july_5 = next(n for n in walk.nights if n.day == date(2024, 7, 5))
    pending = {
        (r["station_code"], r["period"]) for r in july_5.register if r["status"] == "not_yet_due"
    }
    assert {p for p in pending if p[1] == "2024-06"} == {("NF", "2024-06"), ("WH", "2024-06")}


def test_returns_are_received_when_recorded_not_when_their_file_says(walk: Walk) -> None:
    last = walk.nights[-1].register
    june = {r["file_name"]: r for r in last if r["period"] == "2024-06"}
    # The copy with the mtime of 1 July was recorded the night of 8 July: late.
    assert june[OLD_MTIME_FILE]["status"] == "late"
    assert june[OLD_MTIME_FILE]["received_at"] == _night_clock(date(2024, 7, 8))
    # A delivered file carries its logged arrival.
    assert june[LATE_FILE]["status"] == "late"
    assert june[LATE_FILE]["received_at"] == datetime(2024, 7, 7, 11, 0)
    assert {r["status"] for n, r in june.items() if n not in (OLD_MTIME_FILE, LATE_FILE)} == {
        "on_time"
    }
    con = duckdb.connect(str(walk.settings.private_db), read_only=True)
    try:
        (mtime,) = con.execute(
            "select mtime from raw.files where file_name = ?", [OLD_MTIME_FILE]
        ).fetchone()
    finally:
        con.close()
    assert mtime == datetime.utcfromtimestamp(datetime(2024, 7, 1, 8, 0).timestamp())


# ------------------------------------------------------------------ publication


def test_one_may_issue_published_by_the_first_run_after_the_deadline(walk: Walk) -> None:
    published = [(n.day, n.issue.period) for n in walk.nights if n.issue is not None]
    assert published == [(date(2024, 6, 6), "2024-05"), (date(2024, 7, 6), "2024-06")]
    issues = _issues(walk)
    assert [(r["period"], r["issue_no"], r["edition"]) for r in issues] == [
        ("2024-04", "2024年第1期", 1),
        ("2024-05", "2024年第2期", 1),
        ("2024-06", "2024年第3期", 1),
    ]
    may = next(r for r in issues if r["period"] == "2024-05")
    assert may["as_of"] == date(2024, 5, 31)
    assert may["known_at"] == _night_clock(date(2024, 6, 6))
    assert "2024年第2期" in _pdf_text(walk.copies["2024-05"])
    # Nightly drafts are kept apart and marked.
    draft = walk.settings.bulletins / "drafts" / "2024-07.pdf"
    assert "草稿" in _pdf_text(draft)
    assert "期" not in _pdf_text(draft)[:40]


def test_april_backfill_is_not_published_again(walk: Walk) -> None:
    before = _issues(walk)
    ctx = pipeline.run_context(walk.settings, now=walk.nights[-1].now)
    _, again = pipeline.backfill(ctx, "2024-04", "2024-06")
    assert again == []
    assert _issues(walk) == before


def test_a_published_issue_is_never_published_again(walk: Walk) -> None:
    with pytest.raises(pipeline.PublicationError, match="already published"):
        pipeline.publish_issue(
            pipeline.run_context(walk.settings, now=walk.nights[-1].now), "2024-05"
        )


# ------------------------------------------------------------------ revisions


def _round2(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _rows(path: Path) -> list[dict[str, Any]]:
    rows = list(
        openpyxl.load_workbook(path, read_only=True)["就业帮扶台账"].iter_rows(values_only=True)
    )
    head = next(i for i, r in enumerate(rows) if r and "身份证号码" in r)
    names = [str(c) if c is not None else "" for c in rows[head]]
    return [
        dict(zip(names, r, strict=False))
        for r in rows[head + 1 :]
        if r and any(c is not None for c in r) and not str(r[0] or "").startswith("填报单位")
    ]


def _channel_rollups() -> dict[str, str]:
    out: dict[str, str] = {}
    with (REFERENCE / "channels.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for name in [row["code"], row["label"], *filter(None, row["aliases"].split("|"))]:
                out[name] = row["rollup"]
    return out


def _counts(row: dict[str, Any], month_after: date) -> bool:
    id_number = str(row["身份证号码"] or "").upper()
    placed = row["就业日期"]
    placed = placed.date() if isinstance(placed, datetime) else placed
    income = row["月收入(元)"]
    return (
        gb11643_valid(id_number)
        and isinstance(placed, date)
        and placed < month_after
        and isinstance(income, int | float)
        and 0 < income <= 50000
        and row["性别"] == ("男" if int(id_number[16]) % 2 else "女")
        and ("残疾" not in str(row["人员类别"]) or bool(row.get("残疾人证号")))
    )


def _income(walk: Walk, files: dict[tuple[str, str], str]) -> dict[tuple[Any, ...], float]:
    """F11 as of 31 May from the workbooks: median and mean income of the persons placed
    this year, each at their first placement, district and by channel rollup."""
    rollup = _channel_rollups()
    first: dict[str, tuple[date, float, str]] = {}
    for (_, period), name in files.items():
        y, m = map(int, period.split("-"))
        month_after = date(y + m // 12, m % 12 + 1, 1)
        for row in _rows(walk.folder / name):
            if not _counts(row, month_after):
                continue
            placed = row["就业日期"]
            placed = placed.date() if isinstance(placed, datetime) else placed
            if not date(2024, 1, 1) <= placed <= date(2024, 5, 31):
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
        out[("F11", "ytd", None, category, "median_income")] = _round2(statistics.median(incomes))
        out[("F11", "ytd", None, category, "mean_income")] = _round2(statistics.fmean(incomes))
    return out


def _expected_revisions(walk: Walk) -> dict[tuple[Any, ...], tuple[float, float]]:
    """The current return of each station-month up to May, before and after the May
    correction; the F11 rows whose value it changes."""
    current: dict[tuple[str, str], str] = {}
    for name, _ in sorted(walk.arrivals.items(), key=lambda kv: kv[1]):
        if name == MAY_CORRECTION or "2024-06" in name:
            continue
        station, period = name.split("_")[0], name.split("_")[1][:7]
        if period >= "2024-01":
            current[(station, period)] = name
    before = _income(walk, current)
    after = _income(walk, {**current, ("XH", "2024-05"): MAY_CORRECTION})
    return {k: (before[k], after[k]) for k in before if before[k] != after.get(k)}


def _june_issue_revisions(walk: Walk) -> list[dict[str, Any]]:
    issues = _issues(walk)
    june = next(r for r in issues if r["period"] == "2024-06")
    may = next(r for r in issues if r["period"] == "2024-05")
    assert june["revises_seq"] == may["seq"]
    ctx = pipeline.run_context(
        walk.settings, now=june["known_at"], as_of=june["as_of"], known_at=june["known_at"]
    )
    return pipeline.figures(ctx, publish=False, previous=may).revisions


def test_june_issue_revises_may_for_the_correction_only(walk: Walk) -> None:
    revisions = _june_issue_revisions(walk)
    expected = _expected_revisions(walk)
    assert expected, "the corrected income must move at least the district mean"
    got = {tuple(r[k] for k in FIGURE_KEY): (r["old_value"], r["new_value"]) for r in revisions}
    assert len(got) == len(revisions)
    assert set(got) == set(expected)
    for key, (old, new) in expected.items():
        assert got[key] == pytest.approx((old, new), abs=0.0051), key
    for r in revisions:
        # Named by the one return that changed it: not the June returns that arrived
        # in between, not the other May returns.
        assert r["cause"] == MAY_CORRECTION
        assert r["period"] == "2024-05"


def test_june_issue_pdf_lists_the_revision(walk: Walk) -> None:
    text = _pdf_text(walk.copies["2024-06"])
    section = text[text.index("数据修订") : text.index("附：指标说明")]
    assert "本期无修订" not in section
    assert MAY_CORRECTION in section
    assert "2024-06.xlsx" not in section
    for _, (old, new) in _expected_revisions(walk).items():
        assert _as_shown(old) + _as_shown(new) in section
    # May's issue revises April's for the April correction of 20 May (the demo plan),
    # which arrived after April's issue, and for nothing else.
    may = _pdf_text(walk.copies["2024-05"])
    may_section = may[may.index("数据修订") : may.index("附：指标说明")]
    assert "XH_2024-04_更正.xlsx" in may_section
    assert "2024-05.xlsx" not in may_section


def _as_shown(value: float) -> str:
    """A table value: whole numbers without decimals, others to two."""
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


# ------------------------------------------------------------------ reproduction


def test_every_published_issue_reproduces_byte_for_byte(walk: Walk) -> None:
    con = duckdb.connect(str(walk.settings.analyst_db), read_only=True)
    try:
        cur = con.execute(
            "select period, issue, edition, as_of, known_at, data_version, code_version, "
            "file_name, sha256 from marts.bulletins order by seq"
        )
        names = [d[0] for d in cur.description]
        register = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    assert [r["period"] for r in register] == ["2024-04", "2024-05", "2024-06"]
    for row in register:
        issue = walk.settings.bulletins / row["file_name"]
        assert hashlib.sha256(issue.read_bytes()).hexdigest() == row["sha256"]
        printed = f"数据截至{row['known_at']:%Y-%m-%d%H:%M}"
        assert printed in _pdf_text(issue)
        cli = CliRunner().invoke(
            app,
            [
                "bulletin",
                "--as-of",
                f"{row['as_of']}",
                "--known-at",
                f"{row['known_at']:%Y-%m-%d %H:%M}",  # exactly as the PDF prints it
            ],
            env={"DOORSTEP_HOME": str(walk.settings.home), "DOORSTEP_PSEUDONYM_KEY": TEST_KEY},
            prog_name="doorstep",
        )
        assert cli.exit_code == 0, cli.output
        again = Path(cli.output.strip().splitlines()[-1])
        assert again.parent == walk.settings.bulletins / "regenerated"
        assert again.read_bytes() == issue.read_bytes(), row["period"]
    for period, copy in walk.copies.items():
        assert (
            walk.settings.bulletins / "issues" / f"{period}.pdf"
        ).read_bytes() == copy.read_bytes()


# ------------------------------------------------------------------ a corrected edition


def test_a_correction_of_an_issue_out_is_a_new_edition_with_its_own_revisions(
    walk: Walk,
) -> None:
    """Runs last: it adds an edition. `doorstep publish --period 2024-05 --correction`."""
    now = walk.nights[-1].now + timedelta(hours=8)
    cli = CliRunner().invoke(
        app,
        ["publish", "--period", "2024-05", "--correction", "--now", f"{now:%Y-%m-%d %H:%M}"],
        env={"DOORSTEP_HOME": str(walk.settings.home), "DOORSTEP_PSEUDONYM_KEY": TEST_KEY},
        prog_name="doorstep",
    )
    assert cli.exit_code == 0, cli.output
    issues = _issues(walk)
    corrected = issues[-1]
    assert (corrected["period"], corrected["issue_no"], corrected["edition"]) == (
        "2024-05",
        "2024年第2期",
        2,
    )
    assert corrected["file_name"] == "issues/2024-05-e2.pdf"
    first = next(r for r in issues if r["period"] == "2024-05" and r["edition"] == 1)
    assert corrected["revises_seq"] == first["seq"]
    # The first edition is untouched.
    assert (walk.settings.bulletins / first["file_name"]).read_bytes() == walk.copies[
        "2024-05"
    ].read_bytes()
    text = _pdf_text(walk.settings.bulletins / corrected["file_name"])
    assert "2024年第2期（更正版）" in text
    section = text[text.index("数据修订") : text.index("附：指标说明")]
    assert MAY_CORRECTION in section
    for _, (old, new) in _expected_revisions(walk).items():
        assert _as_shown(old) + _as_shown(new) in section
    # Nothing new since: a second correction is refused, naming why.
    again = CliRunner().invoke(
        app,
        ["publish", "--period", "2024-05", "--correction", "--now", f"{now:%Y-%m-%d %H:%M}"],
        env={"DOORSTEP_HOME": str(walk.settings.home), "DOORSTEP_PSEUDONYM_KEY": TEST_KEY},
        prog_name="doorstep",
    )
    assert again.exit_code == 2
    assert "nothing to correct" in again.output
    ctx = pipeline.run_context(
        walk.settings, now=now, as_of=corrected["as_of"], known_at=corrected["known_at"]
    )
    pdf = pipeline.reproduce(ctx)
    assert pdf.read_bytes() == (walk.settings.bulletins / corrected["file_name"]).read_bytes()
