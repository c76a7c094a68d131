"""Broken and oversized files (returns.md §4 item 13): each gets its own file-level issue,
and the rest of the batch still reads."""

from __future__ import annotations

import hashlib
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from doorstep.ingest import discover_returns, read_return
from doorstep.ingest.sniff import OLE_MAGIC
from foundation.settings import Settings
from tests.integration.test_ingest_xlsx import (
    PLACEMENT_HEADER,
    REF,
    codes,
    placement_row,
    read,
    standard_return,
)


def good_workbook(path: Path) -> Path:
    return standard_return(path, [PLACEMENT_HEADER, placement_row(1)])


def ole_file(path: Path, encrypted: bool) -> Path:
    # Enough of a compound file for the sniffer: header magic, then directory entry names.
    body = OLE_MAGIC + b"\x00" * 504
    body += ("EncryptedPackage" if encrypted else "Workbook").encode("utf-16-le") + b"\x00" * 64
    path.write_bytes(body)
    return path


def test_empty_file_gets_file_empty(tmp_path: Path):
    path = tmp_path / "XH_2024-05.xlsx"
    path.write_bytes(b"")
    parsed = read(path)
    assert codes(parsed) == ["FILE_EMPTY"] and parsed.rejected and parsed.sheets == {}


def test_truncated_xlsx_is_corrupt(tmp_path: Path):
    data = good_workbook(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "XH_2024-05.xlsx"
    path.write_bytes(data[: len(data) // 2])
    parsed = read(path)
    assert codes(parsed) == ["FILE_CORRUPT"] and parsed.rejected


def test_damaged_sheet_data_inside_a_whole_zip_is_corrupt(tmp_path: Path):
    good = good_workbook(tmp_path / "good.xlsx")
    path = tmp_path / "XH_2024-05.xlsx"
    with zipfile.ZipFile(good) as src:
        info = src.getinfo("xl/worksheets/sheet2.xml")
        data = bytearray(good.read_bytes())
    # Flip bytes inside the compressed sheet: the archive opens, the sheet does not inflate.
    start = info.header_offset + 30 + len(info.filename) + 10
    for k in range(start, start + 40):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))
    parsed = read(path)
    assert codes(parsed) == ["FILE_CORRUPT"] and parsed.rejected


def test_xls_file_gets_save_as_message(tmp_path: Path):
    parsed = read(ole_file(tmp_path / "XH_2024-05.xls", encrypted=False))
    assert codes(parsed) == ["FILE_XLS_OLD_FORMAT"] and parsed.rejected
    assert "另存为" in REF.reasons["FILE_XLS_OLD_FORMAT"].fix_zh


def test_xls_bytes_under_an_xlsx_name_are_sniffed_not_trusted(tmp_path: Path):
    parsed = read(ole_file(tmp_path / "XH_2024-05.xlsx", encrypted=False))
    assert codes(parsed) == ["FILE_XLS_OLD_FORMAT"]


def test_password_protected_workbook_is_encrypted(tmp_path: Path):
    parsed = read(ole_file(tmp_path / "XH_2024-05.xlsx", encrypted=True))
    assert codes(parsed) == ["FILE_ENCRYPTED"] and parsed.rejected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("XH_2024-05.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        ("XH_2024-05.docx", None),  # a zip, but a Word document
        ("XH_2024-05.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
    ],
)
def test_file_that_is_not_a_spreadsheet(tmp_path: Path, name: str, content: bytes | None):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("word/document.xml", "<document/>")
    else:
        path.write_bytes(content)
    parsed = read(path)
    assert codes(parsed) == ["FILE_NOT_SPREADSHEET"] and parsed.rejected


def with_padding_member(src: Path, dst: Path, size: int) -> Path:
    """The workbook plus a member of `size` zero bytes, which deflate ~1000:1."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/media/image1.bin", b"\x00" * size)
    return dst


def test_zip_bomb_by_compression_ratio(tmp_path: Path):
    good = good_workbook(tmp_path / "good.xlsx")
    parsed = read(with_padding_member(good, tmp_path / "XH_2024-05.xlsx", 8 * 1024 * 1024))
    assert codes(parsed) == ["FILE_TOO_LARGE"] and parsed.rejected
    assert "压缩比" in parsed.issues[0].detail


def test_zip_bomb_by_declared_uncompressed_size(tmp_path: Path):
    good = good_workbook(tmp_path / "good.xlsx")
    path = with_padding_member(good, tmp_path / "XH_2024-05.xlsx", 2 * 1024 * 1024)
    parsed = read(path, Settings(max_uncompressed_bytes=1024 * 1024, max_compression_ratio=1e9))
    assert codes(parsed) == ["FILE_TOO_LARGE"] and "解压后" in parsed.issues[0].detail


def test_file_over_the_size_limit_is_not_opened(tmp_path: Path):
    path = good_workbook(tmp_path / "XH_2024-05.xlsx")
    parsed = read(path, Settings(max_file_bytes=1000))
    assert (
        codes(parsed) == ["FILE_TOO_LARGE"]
        and parsed.rejected
        and parsed.size == path.stat().st_size
    )
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_gone_before_it_is_read_is_an_issue_not_a_crash(tmp_path: Path):
    parsed = read(tmp_path / "XH_2024-05.xlsx")
    assert codes(parsed) == ["FILE_CORRUPT"] and parsed.rejected and len(parsed.sha256) == 64


def test_too_many_rows(tmp_path: Path):
    rows = [PLACEMENT_HEADER, *(placement_row(n) for n in range(1, 61))]
    path = standard_return(tmp_path / "XH_2024-05.xlsx", rows)
    parsed = read(path, Settings(max_rows=50))
    assert codes(parsed) == ["FILE_TOO_LARGE"] and parsed.rejected
    assert read(path, Settings(max_rows=100)).issues == []


def edit_sheet_xml(src: Path, dst: Path, member: str, edit: Callable[[str], str]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)
    return dst


def test_far_away_cell_is_too_large_without_loading_the_sheet(tmp_path: Path):
    def far_cell(xml: str) -> str:
        # XFD1048576 holds a value: a dense grid would need 17 billion cells.
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    good = good_workbook(tmp_path / "good.xlsx")
    path = edit_sheet_xml(good, tmp_path / "XH_2024-05.xlsx", "xl/worksheets/sheet2.xml", far_cell)
    started = time.perf_counter()
    parsed = read(path)
    assert codes(parsed) == ["FILE_TOO_LARGE"]
    assert time.perf_counter() - started < 5


def test_style_only_cells_far_down_do_not_count_as_rows(tmp_path: Path):
    def formatted_to_last_row(xml: str) -> str:
        # Excel writes this when a clerk formats whole columns down to the last row.
        assert '<dimension ref="A1:N2"/>' in xml
        xml = xml.replace('<dimension ref="A1:N2"/>', '<dimension ref="A1:N1048576"/>')
        last = '<row r="1048576"><c r="N1048576" s="0"/></row>'
        return xml.replace("</sheetData>", last + "</sheetData>")

    good = good_workbook(tmp_path / "good.xlsx")
    member = "xl/worksheets/sheet2.xml"
    path = edit_sheet_xml(good, tmp_path / "XH_2024-05.xlsx", member, formatted_to_last_row)
    parsed = read(path)
    assert parsed.issues == [] and parsed.sheets["placements"].height == 1


def test_each_broken_file_gets_its_own_issue_and_the_batch_goes_on(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good_workbook(inbox / "XH_2024-05.xlsx")
    (inbox / "WH_2024-05.xlsx").write_bytes(b"")
    ole_file(inbox / "XF_2024-05.xls", encrypted=False)
    ole_file(inbox / "JH_2024-05.xlsx", encrypted=True)
    (inbox / "XN_2024-05.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (inbox / "说明.txt").write_bytes("请查收".encode("gb18030"))
    (inbox / "~$XH_2024-05.xlsx").write_bytes(b"lock")
    (inbox / ".DS_Store").write_bytes(b"\x00")
    results = {s.name: read_return(s, REF, Settings()) for s in discover_returns(inbox, REF)}
    assert {name: codes(p)[:1] for name, p in results.items()} == {
        "JH_2024-05.xlsx": ["FILE_ENCRYPTED"],
        "WH_2024-05.xlsx": ["FILE_EMPTY"],
        "XF_2024-05.xls": ["FILE_XLS_OLD_FORMAT"],
        "XH_2024-05.xlsx": [],
        "XN_2024-05.xlsx": ["FILE_CORRUPT"],
        "说明.txt": ["FILE_NOT_SPREADSHEET"],
    }
    assert results["XH_2024-05.xlsx"].sheets["placements"].height == 1
    for parsed in results.values():
        assert {i.reason_code for i in parsed.issues} <= set(REF.reasons)
