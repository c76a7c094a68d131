"""A province's bulletin: with many stations the body groups by street and every
station's row moves to the annex (附表). Real PDFs read back with pypdf."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader

from doorstep.bulletin import render_bulletin
from doorstep.bulletin.context import BulletinContext
from doorstep.bulletin.render import STATIONS_IN_BODY_MAX, bulletin_json
from tests.integration.bulletin_context import province_context

pytestmark = pytest.mark.integration

STATIONS = 200
MONTHS = 12


def _text(pdf: Path) -> str:
    reader = PdfReader(str(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def province() -> BulletinContext:
    return province_context(STATIONS, MONTHS)


@pytest.fixture(scope="module")
def pdf(province: BulletinContext, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_bulletin(province, tmp_path_factory.mktemp("province") / "b.pdf")


@pytest.fixture(scope="module")
def parts(pdf: Path) -> tuple[str, str]:
    """The body (up to the annex heading) and the annex (up to the definitions)."""
    text = _text(pdf)
    annex_at = text.index("附表附表1各服务站本年帮扶就业情况")
    return text[:annex_at], text[annex_at : text.index("附：指标说明")]


def _value(ctx: BulletinContext, figure: str, measure: str, station: str) -> int:
    [row] = [
        r
        for r in ctx.figures
        if (r["figure"], r["measure"], r["station"]) == (figure, measure, station)
    ]
    return int(row["value"])


def test_the_body_shows_streets_with_their_stations_sums(
    province: BulletinContext, parts: tuple[str, str]
) -> None:
    body, _ = parts
    assert "所在街道服务站数帮扶就业人数本站帮扶人数残疾人就业（建站以来）" in body
    streets: dict[str, list[str]] = defaultdict(list)
    for s in province.stations:
        streets[s["street"]].append(s["station_code"])
    assert f"分布在{len(streets)}个街道" in body
    for street, codes in streets.items():
        sums = [
            sum(_value(province, "F03", "persons_attributed", c) for c in codes),
            sum(_value(province, "F03", "persons_own", c) for c in codes),
            sum(_value(province, "F04", "disabled_persons", c) for c in codes),
        ]
        assert f"{street}{len(codes)}{sums[0]}{sums[1]}{sums[2]}" in body
    assert "图2各街道本年帮扶困难人员就业人数" in body


def test_no_station_table_in_the_body_but_pointers_to_the_annex(
    province: BulletinContext, parts: tuple[str, str]
) -> None:
    body, _ = parts
    # Station names still occur in sentences (new stations, projects); none is a row of a
    # station table, which would put its street right after its name.
    for s in province.stations:
        assert s["name"] + s["street"] not in body
    for pointer in ("各服务站情况见附表1", "帮扶就业人数见附表2", "培训项目见附表3"):
        assert pointer in body
    assert "在孵企业见附表4" in body and "报送情况见附表5" in body


def test_the_annex_lists_every_station(province: BulletinContext, parts: tuple[str, str]) -> None:
    _, annex = parts
    for title in (
        "附表2各服务站本年帮扶就业人员按人员类别分",
        "附表3各服务站培训项目",
        "附表4各服务站在孵企业",
        "附表5本期各服务站报送情况",
    ):
        assert title in annex
    for s in province.stations:
        code = s["station_code"]
        row = (
            f"{s['name']}{s['street']}{_value(province, 'F03', 'persons_attributed', code)}"
            f"{_value(province, 'F03', 'persons_own', code)}"
            f"{_value(province, 'F04', 'disabled_persons', code)}"
        )
        assert row in annex


def test_the_province_bulletin_is_pdf_a(pdf: Path) -> None:
    xmp = PdfReader(str(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")2", xmp)


@pytest.mark.parametrize(
    ("stations", "by_street"),
    [(STATIONS_IN_BODY_MAX, False), (STATIONS_IN_BODY_MAX + 1, True)],
)
def test_the_body_groups_by_street_only_beyond_the_limit(stations: int, by_street: bool) -> None:
    tables = json.loads(bulletin_json(province_context(stations)))["tables"]
    assert tables["by_street"] is by_street
    assert len(tables["stations"]) == stations
