"""Each messy return really has the defect it is named after (returns.md §4)."""

from __future__ import annotations

import re
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from doorstep.demo.messy import build_compound_file, generate_messy_returns

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
EXPECTED = {
    "title_rows_merged_cells",
    "traditional_headers_pinyin",
    "reordered_and_extra_columns",
    "missing_required_column",
    "id_typed_as_number",
    "id_lowercase_x_fullwidth",
    "date_forms",
    "amount_forms",
    "codes_as_aliases_traditional",
    "duplicate_person",
    "byte_identical_copy",
    "byte_identical_original",
    "unknown_station",
    "cover_mismatch",
    "csv_set_gb18030",
    "csv_utf8_bom",
    "truncated_xlsx",
    "password_protected",
    "old_xls",
    "empty_file",
    "not_a_spreadsheet",
    "formula_like_cells",
    "resubmission",
    "resubmission_original",
    "huge_sheet_extent",
}


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_messy_returns(tmp_path_factory.mktemp("messy"))


def placements(path: Path) -> tuple[list[object], list[tuple[object, ...]]]:
    ws = openpyxl.load_workbook(path)["就业帮扶台账"]
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[1]), [
        r for r in rows[2:] if any(c is not None for c in r) and not str(r[0]).startswith("填报")
    ]


def column(path: Path, header: str) -> list[object]:
    head, rows = placements(path)
    return [r[head.index(header)] for r in rows]


def cover(path: Path) -> dict[object, object]:
    return {
        r[0]: r[1] for r in openpyxl.load_workbook(path)["填报信息"].iter_rows(values_only=True)
    }


def sheet_xml(path: Path, n: int = 2) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(f"xl/worksheets/sheet{n}.xml").decode("utf-8")


def ole_stream_names(data: bytes) -> list[str]:
    assert data[:8] == OLE_SIGNATURE
    first_dir = struct.unpack_from("<I", data, 48)[0]
    directory = data[512 * (first_dir + 1) : 512 * (first_dir + 2)]
    names = []
    for i in range(4):
        entry = directory[128 * i : 128 * (i + 1)]
        length = struct.unpack_from("<H", entry, 64)[0]
        if entry[66] == 2:  # stream
            names.append(entry[: length - 2].decode("utf-16-le"))
    return names


def test_messy_every_variant_is_generated(messy: dict[str, Path]) -> None:
    assert set(messy) == EXPECTED
    assert all(p.exists() for p in messy.values())
    assert all(p.name.startswith(("XH_", "ZZ_")) for p in messy.values())
    assert (
        min(p.stem.split("_")[1][:7] for p in messy.values()) >= "2024-06"
    )  # clear of the calibrated demo


def test_messy_title_rows_merged_cells_blank_rows_and_sign_off(messy: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(messy["title_rows_merged_cells"])["就业帮扶台账"]
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert any(all(v is None for v in row) for row in values[2:-1])
    assert str(values[-1][0]).startswith("填报单位(盖章)")


def test_messy_traditional_headers_with_pinyin_annotations(messy: dict[str, Path]) -> None:
    head, _ = placements(messy["traditional_headers_pinyin"])
    assert (
        "人員類(lèi)別" in head
        and "身份證\n號碼" in head
        and "月收入（元）" in head
        and "就業(yè)單位" in head
    )


def test_messy_reordered_and_extra_columns(messy: dict[str, Path]) -> None:
    head, _ = placements(messy["reordered_and_extra_columns"])
    assert head[:3] == ["序号", "身份证号码", "姓名"]
    assert "回访情况" in head


def test_messy_missing_required_column(messy: dict[str, Path]) -> None:
    head, rows = placements(messy["missing_required_column"])
    assert "身份证号码" not in head and "姓名" in head and rows


def test_messy_id_typed_as_number_is_a_numeric_cell(messy: dict[str, Path]) -> None:
    xml = sheet_xml(messy["id_typed_as_number"])
    cell = re.search(r'<c r="D3"([^>]*)><v>([^<]*)</v>', xml)
    assert cell and 't="' not in cell.group(1)
    assert re.fullmatch(r"3\.2070\d+E\+17", cell.group(2))
    ids = column(messy["id_typed_as_number"], "身份证号码")
    assert isinstance(ids[0], float) and all(isinstance(i, str) for i in ids[1:])


def test_messy_id_lowercase_x_and_fullwidth_digits(messy: dict[str, Path]) -> None:
    ids = column(messy["id_lowercase_x_fullwidth"], "身份证号码")
    assert str(ids[0]).endswith("x")
    assert str(ids[1])[:6] == "３２０７０６"


def test_messy_date_forms(messy: dict[str, Path]) -> None:
    dates = column(messy["date_forms"], "就业日期")
    assert isinstance(dates[0], int)
    assert dates[1:] == ["2024/12/31", "2024.12.31", "20241231", "2024年12月31日", "2024-12-31"]
    assert cover(messy["date_forms"])["报告期"] == "202412"


def test_messy_amount_forms(messy: dict[str, Path]) -> None:
    assert column(messy["amount_forms"], "月收入(元)") == [
        "1,500",
        "1500元",
        "１５００",
        "1500.00",
        "1500多",
    ]


def test_messy_codes_as_aliases_and_traditional(messy: dict[str, Path]) -> None:
    path = messy["codes_as_aliases_traditional"]
    assert column(path, "人员类别") == [
        "低保户",
        "殘疾人",
        "4050人员",
        "02、低收入",
        "困難職工家庭",
    ]
    assert column(path, "就业方式") == ["企業吸納", "10", "手工外包", "殘疾人之家", "公益崗位"]


def test_messy_duplicate_person_in_one_return(messy: dict[str, Path]) -> None:
    ids = column(messy["duplicate_person"], "身份证号码")
    assert len(ids) - len(set(ids)) == 1


def test_messy_byte_identical_copy_under_another_name(messy: dict[str, Path]) -> None:
    a, b = messy["byte_identical_original"], messy["byte_identical_copy"]
    assert a.name != b.name and a.read_bytes() == b.read_bytes()


def test_messy_unknown_station_and_cover_mismatch(messy: dict[str, Path]) -> None:
    assert cover(messy["unknown_station"])["服务站编码"] == "ZZ"
    assert messy["cover_mismatch"].name.startswith("XH_")
    assert cover(messy["cover_mismatch"])["服务站编码"] == "WH"


@pytest.mark.parametrize(
    ("key", "encoding"), [("csv_set_gb18030", "gb18030"), ("csv_utf8_bom", "utf-8-sig")]
)
def test_messy_csv_sets(messy: dict[str, Path], key: str, encoding: str) -> None:
    cover_path = messy[key]
    prefix = cover_path.name.removesuffix("_cover.csv")
    members = sorted(
        p.name.removeprefix(prefix + "_") for p in cover_path.parent.glob(prefix + "_*.csv")
    )
    assert members == sorted(
        [
            "cover.csv",
            "placements.csv",
            "training.csv",
            "events.csv",
            "incubated.csv",
            "households.csv",
        ]
    )
    raw = (cover_path.parent / f"{prefix}_placements.csv").read_bytes()
    text = raw.decode(encoding)
    assert text.startswith("序号,姓名,性别,身份证号码")
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    else:
        assert raw.startswith(b"\xef\xbb\xbf")
    assert "服务站编码,XH" in cover_path.read_bytes().decode(encoding)


def test_messy_truncated_xlsx(messy: dict[str, Path]) -> None:
    path = messy["truncated_xlsx"]
    assert path.read_bytes()[:2] == b"PK"
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(path)


def test_messy_password_protected_is_an_encrypted_ooxml_container(messy: dict[str, Path]) -> None:
    names = ole_stream_names(messy["password_protected"].read_bytes())
    assert set(names) == {"EncryptionInfo", "EncryptedPackage"}


def test_messy_old_xls_is_ole_without_encrypted_package(messy: dict[str, Path]) -> None:
    assert ole_stream_names(messy["old_xls"].read_bytes()) == ["Workbook"]


def test_messy_empty_and_not_a_spreadsheet(messy: dict[str, Path]) -> None:
    assert messy["empty_file"].stat().st_size == 0
    data = messy["not_a_spreadsheet"].read_bytes()
    assert data and data[:2] != b"PK" and data[:8] != OLE_SIGNATURE


def test_messy_huge_sheet_extent_reaches_the_last_excel_cell(messy: dict[str, Path]) -> None:
    path = messy["huge_sheet_extent"]
    assert '<dimension ref="A1:XFD1048576"/>' in sheet_xml(path)
    assert path.stat().st_size < 100_000  # large in extent, not in bytes


def test_messy_formula_like_cells_are_stored_as_strings(messy: dict[str, Path]) -> None:
    path = messy["formula_like_cells"]
    assert "<f>" not in sheet_xml(path)
    assert column(path, "姓名")[0] == '=HYPERLINK("http://x","y")'
    assert column(path, "就业单位")[1] == "+86连云港某公司"


def test_messy_resubmission_arrives_later_with_a_change(messy: dict[str, Path]) -> None:
    old, new = messy["resubmission_original"], messy["resubmission"]
    assert new.name == old.name.replace(".xlsx", "_更正.xlsx")
    assert new.stat().st_mtime > old.stat().st_mtime
    assert column(old, "月收入(元)") != column(new, "月收入(元)")
    assert column(old, "身份证号码") == column(new, "身份证号码")


def test_messy_mtimes_are_delivery_times(messy: dict[str, Path]) -> None:
    received = datetime.utcfromtimestamp(messy["title_rows_merged_cells"].stat().st_mtime)
    assert received == datetime(2024, 7, 3, 9, 0)


def test_messy_same_seed_same_bytes(tmp_path: Path) -> None:
    a = generate_messy_returns(tmp_path / "a")
    b = generate_messy_returns(tmp_path / "b")
    assert {k: p.read_bytes() for k, p in a.items()} == {k: p.read_bytes() for k, p in b.items()}


def test_compound_file_rejects_more_streams_than_one_directory_sector() -> None:
    with pytest.raises(ValueError):
        build_compound_file({"A": b"x", "B": b"y", "C": b"z", "D": b"w"})
