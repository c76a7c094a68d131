"""Back test: the real nightly flow, under a real (temporary) Prefect server, on the demo
returns, checked against the article and against an independent count of the workbooks.

The independent count (`oracle`) reads the demo workbooks with openpyxl — not with the
pipeline's readers — and applies the template's rules directly, so a figure that the
pipeline gets wrong cannot agree with it by construction.
"""

from __future__ import annotations

import calendar
import json
import os
import re
import sqlite3
import sys
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from pypdf import PdfReader

from tests.factories import gb11643_valid

pytestmark = [pytest.mark.e2e]

AS_OF = date(2024, 5, 31)
KEY = "e2e-pseudonym-key-0123456789abcdef0123456789abcdef"


# ------------------------------------------------------------------ the independent count


def _cover(wb: openpyxl.Workbook) -> tuple[str, str]:
    values = {
        str(r[0]).strip(): r[1] for r in wb["填报信息"].iter_rows(values_only=True) if r and r[0]
    }
    m = re.match(r"(\d{4})年(\d{1,2})月", str(values["报告期"]))
    assert m, values["报告期"]
    return str(values["服务站编码"]), f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def _month_end(period: str) -> date:
    y, m = map(int, period.split("-"))
    return date(y, m, calendar.monthrange(y, m)[1])


def _placements(wb: openpyxl.Workbook) -> list[dict[str, object]]:
    rows = list(wb["就业帮扶台账"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and "身份证号码" in r)
    names = [str(c) if c is not None else "" for c in rows[head]]
    out = []
    for r in rows[head + 1 :]:
        if not r or all(c is None for c in r) or str(r[0] or "").startswith("填报单位"):
            continue
        out.append(dict(zip(names, r, strict=False)))
    return out


def _valid(row: dict[str, object], period: str) -> bool:
    id_number = str(row["身份证号码"] or "").upper()
    if not gb11643_valid(id_number):
        return False
    placed = row["就业日期"]
    if isinstance(placed, datetime):
        placed = placed.date()
    if not isinstance(placed, date) or placed > _month_end(period):
        return False
    income = row["月收入(元)"]
    if not isinstance(income, int | float) or not 0 < income <= 50000:
        return False
    male = int(id_number[16]) % 2 == 1
    if row["性别"] not in ("男", "女") or (row["性别"] == "男") != male:
        return False
    if "残疾" in str(row["人员类别"]):
        cert = str(row.get("残疾人证号") or "")
        if not cert:
            return False
    return True


def oracle(inbox: Path) -> dict[str, object]:
    latest: dict[tuple[str, str], tuple[float, Path]] = {}
    for path in inbox.glob("*.xlsx"):
        station, period = _cover(openpyxl.load_workbook(path, read_only=True))
        mtime = path.stat().st_mtime
        if (station, period) not in latest or latest[(station, period)][0] < mtime:
            latest[(station, period)] = (mtime, path)
    placed: dict[str, list[tuple[date, str, str]]] = defaultdict(list)
    personal: set[str] = set()
    for (station, period), (_, path) in latest.items():
        for row in _placements(openpyxl.load_workbook(path, read_only=True)):
            personal.update(
                str(row[k]) for k in ("姓名", "身份证号码", "残疾人证号", "联系电话") if row.get(k)
            )
            if _valid(row, period):
                when = row["就业日期"]
                when = when.date() if isinstance(when, datetime) else when
                placed[str(row["身份证号码"]).upper()].append((when, station, str(row["人员类别"])))
    ytd = {p for p, xs in placed.items() if any(date(2024, 1, 1) <= d <= AS_OF for d, _, _ in xs)}
    jh_disabled = {
        p
        for p, xs in placed.items()
        if any(s == "JH" and "残疾" in c and d <= AS_OF for d, s, c in xs)
    }
    jh_disabled_2023_04 = {
        p
        for p, xs in placed.items()
        if any(s == "JH" and "残疾" in c and d <= date(2023, 4, 30) for d, s, c in xs)
    }
    nf = {
        p
        for p, xs in placed.items()
        if any(s == "NF" and date(2024, 1, 1) <= d <= AS_OF for d, s, _ in xs)
    }
    return {
        "F01": len(ytd),
        "JH_disabled": len(jh_disabled),
        "JH_disabled_2023_04": len(jh_disabled_2023_04),
        "NF": len(nf),
        "ids": set(placed),
        "personal": personal,
    }


# ------------------------------------------------------------------ the run


OUTSIDE_CONNECTIONS: list[str] = []
_WATCHING = {"on": False}


def _watch_sockets(event: str, args: tuple) -> None:
    # Audit hooks cannot be removed, so this one only records while a run is watched.
    if _WATCHING["on"] and event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and host not in ("127.0.0.1", "::1", "localhost"):
            OUTSIDE_CONNECTIONS.append(f"{host}:{address[1]}")


sys.addaudithook(_watch_sockets)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    from prefect.settings import get_current_settings
    from prefect.testing.utilities import prefect_test_harness

    from doorstep.demo.deliver import deliver_demo, demo_clock
    from flows.nightly import nightly
    from foundation.settings import Settings

    home = tmp_path_factory.mktemp("e2e") / "home"
    # Every demo return delivered at its planned arrival; the flow then runs the night
    # of 6 June, the first after May's deadline, which publishes May's issue.
    deliver_demo(Settings(home=home))
    now = demo_clock()
    old = os.environ.get("DOORSTEP_PSEUDONYM_KEY")
    os.environ["DOORSTEP_PSEUDONYM_KEY"] = KEY
    try:
        _WATCHING["on"] = True
        with prefect_test_harness(server_startup_timeout=180):
            first = nightly(as_of=AS_OF, home=str(home), now=now, return_state=True)
            second = nightly(as_of=AS_OF, home=str(home), now=now, return_state=True)
            # Keep the harness's database (flow runs, task runs, logs, artifacts) for the
            # privacy scan: through SQLite's backup, so what is still in its write-ahead
            # log is copied too.
            url = get_current_settings().server.database.connection_url.get_secret_value()
            source = sqlite3.connect(url.split("///", 1)[1])
            copy = sqlite3.connect(home / "prefect-harness.db")
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
    finally:
        _WATCHING["on"] = False
        if old is None:
            os.environ.pop("DOORSTEP_PSEUDONYM_KEY", None)
        else:
            os.environ["DOORSTEP_PSEUDONYM_KEY"] = old
    return home, first, second


def _figure(
    rows: list[dict],
    figure: str,
    measure: str,
    station: str | None = None,
    category: str | None = None,
):
    found = [
        r
        for r in rows
        if r["figure"] == figure
        and r["measure"] == measure
        and r["station"] == station
        and r["category"] == category
    ]
    assert len(found) == 1, (figure, measure, station, category, found)
    return found[0]


def _figures(home: Path, as_of: date = AS_OF) -> list[dict]:
    from doorstep.pipeline import figures, run_context
    from foundation.settings import Settings

    ctx = run_context(Settings(home=home), as_of=as_of, needs_key=False)
    return figures(ctx, publish=False).figures


def test_flow_completes_with_quarantines(demo_run):
    _, first, _ = demo_run
    assert first.is_completed()
    assert first.message.startswith("completed, with quarantines")


def test_the_run_reaches_no_address_outside_this_machine(demo_run):
    assert OUTSIDE_CONNECTIONS == []


def test_figures_reproduce_the_article(demo_run):
    home, _, _ = demo_run
    rows = _figures(home)
    f01 = _figure(rows, "F01", "persons", category=None)
    assert 185 <= f01["value"] <= 199
    assert f01["text"] == "近200名"
    jh = _figure(rows, "F04", "disabled_persons", station="JH")
    assert jh["value"] == 23
    nf = _figure(rows, "F03", "persons_own", station="NF")
    assert 11 <= nf["value"] <= 19
    xn = [
        r
        for r in rows
        if r["figure"] == "F05"
        and r["station"] == "XN"
        and r["measure"] == "employed_after"
        and r["category"]
        and "穿戴甲" in r["category"]
    ]
    assert xn and 31 <= xn[0]["value"] <= 39 and xn[0]["text"] == "30余人"
    wh = [
        r
        for r in rows
        if r["figure"] == "F06"
        and r["station"] == "WH"
        and r["measure"] == "jobs"
        and r["category"]
        and "财八斗" in r["category"]
    ]
    assert wh and 11 <= wh[0]["value"] <= 19


def test_figures_agree_with_an_independent_count_of_the_workbooks(demo_run):
    home, _, _ = demo_run
    expected = oracle(home / "inbox")
    rows = _figures(home)
    older = _figures(home, date(2023, 4, 30))
    got = {
        "F01": _figure(rows, "F01", "persons")["value"],
        "JH_disabled": _figure(rows, "F04", "disabled_persons", station="JH")["value"],
        "JH_disabled_2023_04": _figure(older, "F04", "disabled_persons", station="JH")["value"],
        "NF": _figure(rows, "F03", "persons_own", station="NF")["value"],
    }
    differences = {k: (got[k], expected[k]) for k in got if got[k] != expected[k]}
    assert not differences, f"pipeline vs independent count: {differences}"


def test_second_run_on_the_same_inbox_changes_nothing(demo_run):
    home, first, second = demo_run
    assert second.is_completed()
    summary = second.result()
    assert summary.load.returns_read == 0
    con = duckdb.connect(str(home / "private" / "doorstep_private.duckdb"), read_only=True)
    try:
        returns = con.execute(
            "select count(*), count(distinct return_id) from raw.returns"
        ).fetchone()
    finally:
        con.close()
    assert returns[0] == returns[1] == first.result().load.returns_read


def test_data_dictionary_is_written_beside_the_analyst_database(demo_run):
    home, _, _ = demo_run
    text = (home / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    for table in (
        "marts.placements",
        "marts.figures",
        "marts.quarantine",
        "marts.returns_register",
    ):
        assert table in text


def test_bulletin_pdf_has_the_headline_and_embedded_cjk_font(demo_run):
    home, _, _ = demo_run
    pdf = home / "bulletins" / "issues" / f"{AS_OF:%Y-%m}.pdf"
    reader = PdfReader(pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    compact = re.sub(r"\s+", "", text)
    assert "截至5月底，各服务站已兜底帮扶全区近200名" in compact
    # The article's other idioms, where the demo data say so.
    assert "纳福商学院本年已帮扶10余人实现就业" in compact
    assert "已为辖区23名残疾人解决就业" in compact
    assert "“穿戴甲培训”项目已帮扶30余人" in compact
    assert "月收入中位数为1500多元" in compact
    assert "10多个就业岗位" in compact
    # The demo's station × category × gender table would be mostly stars, so the rule
    # publishes station × category beside district category × gender, small counts hidden.
    assert "各服务站本年帮扶就业人员按人员类别分（人）" in compact
    assert "全区本年帮扶就业人员按人员类别和性别分（人）" in compact
    assert "各服务站本年帮扶就业人员按人员类别和性别分（人）" not in compact
    people = text[text.index("（一）按人员类别分") : text.index("（二）残疾人就业")]
    lines = [ln.split() for ln in people.splitlines()]
    names = ("服务站", "就业点", "试点", "商学院")
    station_rows = [
        ln for ln in lines if len(ln) > 1 and ln[0] != "服务站" and ln[0].endswith(names)
    ]
    assert len(station_rows) == 6
    for row in station_rows + [ln for ln in lines if ln and ln[0] == "残疾人"]:
        assert not {"1", "2", "3", "4"} & set(row[1:]), row
    assert sum(row.count("*") for row in lines) > 0
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for desc in font.get("/DescendantFonts", [font]):
                descriptor = desc.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    assert any(
                        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                    ), font
                    fonts.add(str(descriptor["/FontName"]))
    assert any("NotoSansCJK" in f for f in fonts), fonts
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_no_personal_data_in_analyst_db_bulletin_gx_or_prefect_logs(demo_run):
    home, _, _ = demo_run
    con = duckdb.connect(str(home / "doorstep.duckdb"), read_only=True)
    try:
        columns = con.sql(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        values: set[str] = set()
        for schema, table, column in columns:
            values.update(
                str(v[0])
                for v in con.sql(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()
            )
    finally:
        con.close()
    personal = oracle(home / "inbox")["personal"]
    assert not values & personal, "a personal value is a whole cell of the analyst database"
    blob = "\n".join(values)
    assert not [
        v for v in personal if len(v) >= 11 and v in blob
    ]  # IDs, certificates, phones inside text
    pdf_text = "".join(
        p.extract_text()
        for p in PdfReader(home / "bulletins" / "issues" / f"{AS_OF:%Y-%m}.pdf").pages
    )
    assert not [v for v in personal if len(v) >= 11 and v in pdf_text]
    for path in [*(home / "gx").rglob("*"), home / "prefect-harness.db"]:
        if path.is_file():
            content = path.read_bytes().decode("utf-8", errors="ignore")
            assert not [v for v in personal if len(v) >= 11 and v in content], path


def test_the_first_night_after_the_deadline_publishes_may_and_drafts(demo_run):
    """The night of 6 June publishes May's issue once; the draft is kept apart, marked."""
    import yaml

    home, first, second = demo_run
    issue = first.result().issue
    assert (issue.period, issue.edition) == ("2024-05", 1)
    assert issue.path == home / "bulletins" / "issues" / "2024-05.pdf"
    assert second.result().issue is None  # already out: never published twice
    draft = home / "bulletins" / "drafts" / "2024-05.pdf"
    draft_text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(draft).pages))
    assert "草稿" in draft_text
    # The data-quality section reads as the plan delivered the year: every station-month
    # due, the plan's late returns late, its one resubmission, nothing missing in 2024.
    plan = yaml.safe_load(
        (Path(__file__).parents[2] / "doorstep" / "demo" / "demo_plan.yaml").read_text("utf-8")
    )
    late = [r for r in plan["late_returns"] if str(r["period"]).startswith("2024")]
    resubmitted = [r for r in plan["resubmissions"] if str(r["period"]).startswith("2024")]
    expected = 6 * 5  # six stations open in 2024, January to May
    on_time = expected - len(late)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(issue.path).pages))
    assert (
        f"本年1至5月累计应报报表{expected}份，收到报送{expected + len(resubmitted)}次"
        f"（按时{on_time}次、逾期{len(late)}次、重报{len(resubmitted)}次），缺报0份"
    ) in text


def _artifacts(home: Path) -> list[tuple[str, str, str]]:
    """(key, type, data) of every artifact the two runs left, from the harness's database."""
    con = sqlite3.connect(home / "prefect-harness.db")
    try:
        rows = con.execute("select key, type, data from artifact order by created").fetchall()
    finally:
        con.close()
    # The column holds JSON, Chinese as \u escapes: decode it, or a name would hide.
    return [(key, kind, _as_text(json.loads(data))) for key, kind, data in rows]


def _as_text(value: object) -> str:
    while isinstance(value, str):
        try:
            value = json.loads(value)  # a table artifact is JSON inside the JSON column
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False)


def test_each_run_leaves_a_summary_and_the_register_in_prefect(demo_run):
    home, night, _ = demo_run
    found = _artifacts(home)
    assert [(k, t) for k, t, _ in found] == [
        ("doorstep-night", "markdown"),
        ("doorstep-register", "table"),
    ] * 2
    first = found[0][2]
    assert "星化社区家门口就业服务站" in first  # stations by name, from the registry
    assert "近200名" in first  # F01 in its idiom
    assert str(night.result().bulletin) in first  # where tonight's draft was written
    assert "今晚没有新报表" in found[2][2]  # the second night found nothing new


def test_no_personal_value_in_any_prefect_artifact(demo_run):
    home, _, _ = demo_run
    personal = oracle(home / "inbox")["personal"]
    text = "\n".join(data for _, _, data in _artifacts(home))
    # Names too, not only the long numbers: an artifact is read by people in the UI.
    assert not [v for v in personal if len(v) >= 2 and v in text]
