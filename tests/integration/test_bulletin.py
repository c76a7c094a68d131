"""The rendered bulletin: real PDFs read back with pypdf."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from doorstep.bulletin import render_bulletin
from doorstep.bulletin.render import TEMPLATES_DIR, bulletin_json
from foundation.reference import REFERENCE_DIR
from tests.integration.bulletin_context import CODE_VERSION, DATA_VERSION, context

pytestmark = pytest.mark.integration

A4_POINTS = (595.28, 841.89)
SECTION_HEADINGS = [
    "一、总体情况",
    "二、各服务站情况",
    "三、重点群体",
    "四、技能培训与创业带动",
    "五、目标进度",
    "六、数据质量说明",
    "附：指标说明",
    "数据来源",
]


def _text(pdf: Path) -> str:
    """All page text with line breaks and spaces removed, so wrapped phrases still match."""
    reader = PdfReader(str(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _reference_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_bulletin(context(), tmp_path_factory.mktemp("bulletin") / "2024-05-31.pdf")


@pytest.fixture(scope="module")
def text(bulletin: Path) -> str:
    return _text(bulletin)


def test_headline_sentence_in_the_bureaus_words(text: str) -> None:
    assert (
        "截至5月底，各服务站已兜底帮扶全区近200名低收入人口、残疾人、特困职工家庭成员等五类困难人员就业。"
        in text
    )


def test_articles_approximate_figures_appear(text: str) -> None:
    assert "已为辖区23名残疾人解决就业" in text  # 江化: exact, 23 is not an idiom band
    assert "幸南社区家门口就业试点“穿戴甲”项目已帮扶30余人实现就业" in text
    assert "纳福商学院“电商运营”项目已帮扶10余人实现就业" in text
    assert "江苏财八斗电子商务有限公司为附近群众解决10多个就业岗位" in text
    assert "月收入中位数为1500多元" in text
    assert "1至5月，实现就业困难人员就业192人，完成全年目标的6.40%，慢序时35.27个百分点" in text


def test_title_issue_date_and_bureau(text: str) -> None:
    assert "海州区“家门口”就业服务工作简报" in text
    assert "2024年第5期" in text
    assert "统计截至2024年5月31日" in text
    assert "海州区人力资源和社会保障局" in text


@pytest.mark.parametrize("heading", SECTION_HEADINGS)
def test_every_section_heading_is_printed(text: str, heading: str) -> None:
    assert heading in text


def test_every_figure_label_and_definition_from_the_catalogue(text: str) -> None:
    for row in _reference_csv("figures.csv"):
        assert row["label"] in text, row["figure"]
        assert re.sub(r"\s+", "", row["definition_zh"]) in text, row["figure"]


def test_every_station_is_named(text: str) -> None:
    for row in _reference_csv("stations.csv"):
        assert row["name"] in text


def test_tables_show_exact_values(text: str) -> None:
    # the station table row for 江化 and the district total, exact, not narrated
    assert "江化社区助残就业点幸福路街道414123" in text
    assert "全区合计192—37" in text


def test_category_note_says_categories_may_sum_to_more(text: str) -> None:
    assert "各类别之和可能大于帮扶就业总人数192人" in text


def test_data_quality_section_summarises_the_register(text: str) -> None:
    # May 2024 in the fixture: XH, JH, NF on time; WH late; XF on time then resubmitted;
    # XN missing. January to April: six stations on time each month.
    assert "本期（2024年5月）应报报表6份，收到报送6次（按时4次、逾期1次、重报1次），缺报1份" in text
    assert "本年1至5月累计应报报表30份，收到报送30次（按时28次、逾期1次、重报1次），缺报1份" in text
    # the register table: XF's two deliveries, the resubmission current
    assert "西凤社区家门口就业服务站按时2024-06-0435" in text
    assert "西凤社区家门口就业服务站重报2024-06-09351是" in text
    assert "身份证号码被Excel当作数字保存，末几位已丢失，无法恢复3" in text
    assert "西凤社区家门口就业服务站重报4月报表" in text  # the revision's cause


def test_no_revisions_is_said_explicitly(tmp_path: Path) -> None:
    pdf = render_bulletin(context(revisions=[]), tmp_path / "b.pdf")
    assert "本期无修订" in _text(pdf)


def test_data_and_code_version_are_printed(text: str) -> None:
    assert DATA_VERSION in text  # full digest in the appendix
    assert f"数据版本{DATA_VERSION[:12]}" in text  # short digest in the footer
    assert CODE_VERSION in text


def test_round_200_is_not_written_near_200(tmp_path: Path) -> None:
    pdf = render_bulletin(context(f01=200), tmp_path / "b.pdf")
    words = _text(pdf)
    assert "近200名" not in words
    assert "全区200名低收入人口" in words


def _fonts(obj: DictionaryObject, seen: set[int]) -> list[DictionaryObject]:
    """Every font dictionary reachable from a resources dictionary, XObjects included."""
    found = []
    resources = obj.get("/Resources")
    if resources is None:
        return found
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        found.append(font.get_object())
    for xobject in (resources.get("/XObject") or {}).values():
        ref = getattr(xobject, "idnum", None)
        if ref is not None and ref in seen:
            continue
        if ref is not None:
            seen.add(ref)
        found += _fonts(xobject.get_object(), seen)
    return found


def test_only_the_embedded_noto_sans_cjk_font_is_used(bulletin: Path) -> None:
    reader = PdfReader(str(bulletin))
    seen: set[int] = set()
    fonts = [f for page in reader.pages for f in _fonts(page, seen)]
    assert fonts
    for font in fonts:
        assert "NotoSansCJK" in str(font["/BaseFont"]), font["/BaseFont"]
        descendants = font.get("/DescendantFonts")
        described = descendants[0].get_object() if descendants else font
        descriptor = described["/FontDescriptor"].get_object()
        assert any(key.startswith("/FontFile") for key in descriptor), "font not embedded"


def test_pages_are_a4(bulletin: Path) -> None:
    for page in PdfReader(str(bulletin)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(A4_POINTS, abs=0.5)


def test_same_context_gives_identical_bytes(bulletin: Path, tmp_path: Path) -> None:
    again = render_bulletin(context(), tmp_path / "again.pdf")
    assert again.read_bytes() == bulletin.read_bytes()


def test_figure_row_order_does_not_change_the_bytes(bulletin: Path, tmp_path: Path) -> None:
    ctx = context()
    shuffled = dataclasses.replace(ctx, figures=list(reversed(ctx.figures)))
    assert render_bulletin(shuffled, tmp_path / "b.pdf").read_bytes() == bulletin.read_bytes()


def test_what_the_template_never_prints_stays_out_of_its_input(
    bulletin: Path, tmp_path: Path
) -> None:
    """F13 rows (the register as figures) and an earlier year's deliveries are not read by
    the template, so render.py leaves them out of what Typst parses: with them added the
    bytes are the same, and the printed register counts are still this year's."""
    ctx = context()
    f13 = [
        {**ctx.figures[0], "figure": "F13", "station": code, "category": "2024-05", "value": 1.0}
        for code in ("XH", "JH", "NF")
    ]
    last_year = [
        {**r, "period": "2023-" + r["period"][5:], "status": "late"} for r in ctx.returns_register
    ]
    busier = dataclasses.replace(
        ctx,
        figures=[*ctx.figures, *f13],
        returns_register=[*last_year, *ctx.returns_register],
    )
    payload = json.loads(bulletin_json(busier))
    assert all(not key.startswith("F13|") for key in payload["figure_index"]["by_cell"])
    assert {r["period"][:4] for r in payload["ctx"]["returns_register"]} == {"2024"}
    assert render_bulletin(busier, tmp_path / "b.pdf").read_bytes() == bulletin.read_bytes()


def test_metadata_dated_as_of_not_wall_clock(bulletin: Path) -> None:
    reader = PdfReader(str(bulletin))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "海州区“家门口”就业服务工作简报（2024年第5期）"
    assert "统计截至2024-05-31" in str(meta.get("/Keywords"))
    assert DATA_VERSION in str(meta.get("/Keywords"))
    assert meta.creation_date is not None
    assert meta.creation_date.replace(tzinfo=None) == datetime(2024, 5, 31)
    assert str(reader.trailer["/Root"]["/Lang"]).lower().startswith("zh")


def test_declared_pdf_a_2b(bulletin: Path) -> None:
    xmp = PdfReader(str(bulletin)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")2", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)


def test_known_at_is_stated_when_given(tmp_path: Path) -> None:
    ctx = dataclasses.replace(context(), known_at=datetime(2024, 6, 15, 8, 0))
    assert "数据截至2024-06-1508:00" in _text(render_bulletin(ctx, tmp_path / "b.pdf"))


def test_templates_import_no_network_packages() -> None:
    typ_files = list(TEMPLATES_DIR.glob("*.typ"))
    assert typ_files
    for typ in typ_files:
        assert "@preview" not in typ.read_text(encoding="utf-8"), typ.name
