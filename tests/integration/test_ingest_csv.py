"""CSV exchange (returns.md §2): strict decoding, CSV sets grouped into one return."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from doorstep.ingest import discover_returns, read_return
from doorstep.ingest.csvfiles import decode_csv
from foundation.settings import Settings
from tests.factories import synthetic_id
from tests.integration.test_ingest_xlsx import (
    EMPTY_SHEETS,
    PLACEMENT_HEADER,
    REF,
    codes,
    placement_row,
)

CSV_NAMES = {
    "技能培训": "training",
    "创业活动": "events",
    "孵化企业": "incubated",
    "零就业家庭": "households",
}


def csv_text(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def write_csv_set(
    inbox: Path, stem: str = "XH_2024-05", encoding: str = "utf-8", code: str = "XH"
) -> None:
    inbox.mkdir(exist_ok=True)
    cover = [
        ["服务站名称", "星化社区家门口就业服务站"],
        ["服务站编码", code],
        ["报告期", "2024年5月"],
    ]
    (inbox / f"{stem}_cover.csv").write_bytes(csv_text(cover).encode(encoding))
    placements = [PLACEMENT_HEADER, placement_row(1), placement_row(2, categories="殘疾人")]
    (inbox / f"{stem}_placements.csv").write_bytes(csv_text(placements).encode(encoding))
    for label, suffix in CSV_NAMES.items():
        (inbox / f"{stem}_{suffix}.csv").write_bytes(csv_text(EMPTY_SHEETS[label]).encode(encoding))


def test_csv_set_is_grouped_into_one_return(tmp_path: Path):
    write_csv_set(tmp_path / "inbox")
    sources = discover_returns(tmp_path / "inbox", REF)
    assert [(s.name, len(s.paths), s.is_csv_set) for s in sources] == [
        ("XH_2024-05_*.csv", 6, True)
    ]


def test_utf8_csv_set_reads_like_a_workbook(tmp_path: Path):
    inbox = tmp_path / "inbox"
    write_csv_set(inbox)
    (source,) = discover_returns(inbox, REF)
    parsed = read_return(source, REF, Settings())
    assert parsed.issues == [] and not parsed.rejected
    assert (parsed.station_code, parsed.period) == ("XH", "2024-05")
    placements = parsed.sheets["placements"]
    assert placements.select(
        "name", "id_number", "categories", "monthly_income", "row_number"
    ).rows() == [
        ("测试1", synthetic_id(1), "低保", "1500", 2),
        ("测试2", synthetic_id(2), "殘疾人", "1500", 3),
    ]
    assert placements["id_number_was_number"].to_list() == [False, False]  # CSV has no number cells
    members = sorted(source.paths)
    digest_lines = "\n".join(
        f"{p.name}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in members
    )
    assert parsed.sha256 == hashlib.sha256(digest_lines.encode("utf-8")).hexdigest()
    assert parsed.size == sum(p.stat().st_size for p in members)


def test_csv_gb18030_is_read(tmp_path: Path):
    inbox = tmp_path / "inbox"
    write_csv_set(inbox, encoding="gb18030")
    (source,) = discover_returns(inbox, REF)
    parsed = read_return(source, REF, Settings())
    assert parsed.issues == []
    assert parsed.sheets["placements"]["categories"].to_list() == ["低保", "殘疾人"]


def test_csv_utf8_bom_is_read(tmp_path: Path):
    inbox = tmp_path / "inbox"
    write_csv_set(inbox, encoding="utf-8-sig")
    (source,) = discover_returns(inbox, REF)
    parsed = read_return(source, REF, Settings())
    assert parsed.issues == []
    assert parsed.sheets["placements"].columns[0] == "seq"  # the BOM did not stick to 序号
    assert parsed.sheets["placements"]["seq"].to_list() == ["1", "2"]


def test_latin1_garbage_csv_is_rejected_with_file_encoding(tmp_path: Path):
    inbox = tmp_path / "inbox"
    write_csv_set(inbox)
    garbage = "Name,Café,Müller\nrésumé,ñ,ü\n".encode("latin-1")
    (inbox / "XH_2024-05_placements.csv").write_bytes(garbage)
    (source,) = discover_returns(inbox, REF)
    parsed = read_return(source, REF, Settings())
    assert codes(parsed) == ["FILE_ENCODING"] and parsed.rejected
    assert parsed.issues[0].file_name == "XH_2024-05_placements.csv"


def test_decoding_is_strict_never_replacing_characters():
    assert decode_csv("身份证号码".encode("gbk")) == ("身份证号码", "gb18030")
    assert decode_csv(b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d") == ("姓名", "utf-8-sig")
    assert decode_csv(b"\xef\xbb\xbf\xff\xfe") is None
    assert decode_csv("Café,".encode("latin-1")) is None


def test_utf8_with_one_broken_byte_is_not_read_as_gb18030_nonsense():
    data = "姓名,身份证号码,人员类别\n测试,x,低保\n".encode() + b"\xff\n"
    assert decode_csv(data) is None


def test_csv_set_without_cover_is_rejected(tmp_path: Path):
    inbox = tmp_path / "inbox"
    write_csv_set(inbox)
    (inbox / "XH_2024-05_cover.csv").unlink()
    (source,) = discover_returns(inbox, REF)
    parsed = read_return(source, REF, Settings())
    assert [(i.reason_code, i.sheet) for i in parsed.issues] == [("SHEET_MISSING", "cover")]
    assert parsed.rejected


def test_csv_too_many_rows(tmp_path: Path):
    inbox = tmp_path / "inbox"
    write_csv_set(inbox)
    rows = [PLACEMENT_HEADER, *(placement_row(n) for n in range(1, 30))]
    (inbox / "XH_2024-05_placements.csv").write_text(csv_text(rows), encoding="utf-8")
    (source,) = discover_returns(inbox, REF)
    parsed = read_return(source, REF, Settings(max_rows=20))
    assert codes(parsed) == ["FILE_TOO_LARGE"] and parsed.rejected


def test_discover_is_sorted_and_ignores_lock_and_hidden_files(tmp_path: Path):
    inbox = tmp_path / "inbox"
    write_csv_set(inbox, stem="XF_2024-05", code="XF")
    (inbox / "XH_2024-05.xlsx").write_bytes(b"x")
    (inbox / "WH_2024-05_更正.xlsx").write_bytes(b"x")
    (inbox / "~$XH_2024-05.xlsx").write_bytes(b"x")
    (inbox / ".hidden.csv").write_bytes(b"x")
    (inbox / "Thumbs.db").write_bytes(b"x")
    (inbox / "XN_2024-05_notes.csv").write_bytes(b"x")  # not a sheet name: its own source
    (inbox / "sub").mkdir()
    names = [s.name for s in discover_returns(inbox, REF)]
    assert names == [
        "WH_2024-05_更正.xlsx",
        "XF_2024-05_*.csv",
        "XH_2024-05.xlsx",
        "XN_2024-05_notes.csv",
    ]
    assert discover_returns(inbox, REF) == discover_returns(inbox, REF)
