"""Messy returns: one small file (or CSV set) per way real returns depart from the template.

Each variant is station XH (or a deliberately wrong station) with its own report period
from 2024-06 on, so the variants neither supersede one another nor touch the calibrated
demo (which ends 2024-05). `resubmission` and `byte_identical_copy` deliberately share a
period with their original. Every file's mtime is its delivery time (3rd of the next month).
"""

from __future__ import annotations

import csv
import random
import shutil
import struct
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from doorstep.demo.generate import month_days, next_month, set_delivery_time
from doorstep.demo.people import PersonFactory, make_mobile
from doorstep.returns_xlsx import period_label, write_return_workbook
from foundation.reference import load_reference

Row = dict[str, object]
FIRST_PERIOD = "2024-06"


class _Messy:
    def __init__(self, inbox: Path, seed: int) -> None:
        self.inbox = inbox
        self.rng = random.Random(seed)
        self.factory = PersonFactory(self.rng, {"320706": 9, "320705": 1})
        self.ref = load_reference()
        self.out: dict[str, Path] = {}
        self.period = FIRST_PERIOD

    def next_period(self) -> str:
        period = self.period
        self.period = next_month(period)
        return period

    # -- content ------------------------------------------------------------------------
    def cover(self, period: str, station: str = "XH") -> dict[str, object]:
        st = self.ref.stations.get(station)
        return {
            "station_name": st.name if st else "东港社区家门口就业服务站",
            "station_code": station,
            "street": st.street if st else "新东街道",
            "period": period_label(period),
            "reporter": self.factory.name(False),
            "reporter_phone": make_mobile(self.rng),
            "filled_on": self.delivered(period).date(),
        }

    def placement(self, period: str, categories: tuple[str, ...] = ("01",)) -> Row:
        first, last = month_days(period)
        placed = first + timedelta(days=self.rng.randint(0, (last - first).days))
        p = self.factory.make(placed, categories, 0.5)
        return {
            "name": p.name,
            "gender": p.gender,
            "id_number": p.id_number,
            "categories": "、".join(self.ref.categories[c].label for c in categories),
            "disability_cert": p.disability_cert,
            "channel": "单位就业",
            "employer": "连云港海宁食品有限公司",
            "job": "包装工",
            "placed_on": placed,
            "monthly_income": 1500 + 10 * self.rng.randint(0, 30),
            "si_subsidy": "否",
            "phone": p.phone,
            "note": None,
        }

    def sheets(self, period: str, n: int = 3) -> dict[str, list[Row]]:
        rows = [self.placement(period, cats) for cats in [("01",), ("02", "01"), ("05",)][:n]]
        for i, row in enumerate(rows, start=1):
            row["seq"] = i
        first, _ = month_days(period)
        return {
            "placements": rows,
            "training": [
                {
                    "project": "家政服务员培训",
                    "training_type": "就业技能培训",
                    "start_on": first,
                    "end_on": first + timedelta(days=11),
                    "trainees": 12,
                    "completed": 11,
                    "employed_after": 6,
                    "partner": "海州区惠民家政服务有限公司",
                    "note": None,
                }
            ],
            "events": [
                {
                    "event_name": "创业政策研读讲座",
                    "event_type": "政策研读讲座",
                    "held_on": first + timedelta(days=14),
                    "attendees": 30,
                    "venue": "星化社区党群服务中心",
                }
            ],
            "incubated": [],
            "households": [],
        }

    def delivered(self, period: str) -> datetime:
        first = month_days(next_month(period))[0]
        return datetime(first.year, first.month, 3, 9, 0)

    # -- writing --------------------------------------------------------------------------
    def write(
        self,
        key: str,
        name: str,
        period: str,
        cover: dict[str, object],
        sheets: dict[str, list[Row]],
        **options: object,
    ) -> Path:
        path = write_return_workbook(self.inbox / name, cover, sheets, **options)  # type: ignore[arg-type]
        return self.done(key, path, period)

    def done(self, key: str, path: Path, period: str, when: datetime | None = None) -> Path:
        set_delivery_time(path, when or self.delivered(period))
        self.out[key] = path
        return path

    def standard(
        self,
        key: str,
        mutate: Callable[[dict[str, list[Row]]], None] | None = None,
        **options: object,
    ) -> Path:
        period = self.next_period()
        sheets = self.sheets(period)
        if mutate:
            mutate(sheets)
        return self.write(key, f"XH_{period}.xlsx", period, self.cover(period), sheets, **options)


# -- the variants (returns.md §4) --------------------------------------------------------------


def _title_rows_merged_cells(m: _Messy) -> None:
    def blank_rows(sheets: dict[str, list[Row]]) -> None:
        sheets["placements"].insert(1, {})
        sheets["placements"].append({})

    m.standard("title_rows_merged_cells", blank_rows, title_rows=True)


TRADITIONAL_HEADERS = {
    "name": "姓　名",
    "gender": "性別",
    "id_number": "身份證\n號碼",
    "categories": "人員類(lèi)別",
    "disability_cert": "殘疾人證號",
    "channel": "就業(yè)方式",
    "employer": "就業(yè)單位",
    "job": "就業崗位",
    "placed_on": "就業日期",
    "monthly_income": "月收入（元）",
    "si_subsidy": "享受社保補貼",
    "phone": "聯繫電話",
    "note": "備 注",
}


def _traditional_headers_pinyin(m: _Messy) -> None:
    m.standard("traditional_headers_pinyin", header_labels={"placements": TRADITIONAL_HEADERS})


def _reordered_and_extra_columns(m: _Messy) -> None:
    def extra(sheets: dict[str, list[Row]]) -> None:
        for row in sheets["placements"]:
            row["回访情况"] = "已回访"

    order = [
        "seq",
        "id_number",
        "name",
        "placed_on",
        "channel",
        "categories",
        "gender",
        "employer",
        "job",
        "回访情况",
        "monthly_income",
        "si_subsidy",
        "disability_cert",
        "phone",
        "note",
    ]
    m.standard("reordered_and_extra_columns", extra, columns={"placements": order})


def _missing_required_column(m: _Messy) -> None:
    fields = [f for f in m.ref.headers["placements"] if f != "id_number"]
    m.standard("missing_required_column", columns={"placements": fields})


def _id_typed_as_number(m: _Messy) -> None:
    def as_number(sheets: dict[str, list[Row]]) -> None:
        idn = str(sheets["placements"][0]["id_number"])
        # What Excel keeps of an 18-digit number: 15 significant digits, shown as 3.20706E+17.
        sheets["placements"][0]["id_number"] = float(idn[:15] + "000")

    m.standard("id_typed_as_number", as_number)


def _id_lowercase_x_fullwidth(m: _Messy) -> None:
    period = m.next_period()
    sheets = m.sheets(period)
    rows = sheets["placements"]
    while not str(rows[0]["id_number"]).endswith("X"):  # redraw until the check character is X
        rows[0].update({k: v for k, v in m.placement(period).items() if k != "seq"})
    rows[0]["id_number"] = str(rows[0]["id_number"]).lower()
    rows[1]["id_number"] = str(rows[1]["id_number"]).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    rows[1]["disability_cert"] = str(rows[1]["disability_cert"]).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    m.write("id_lowercase_x_fullwidth", f"XH_{period}.xlsx", period, m.cover(period), sheets)


def _date_forms(m: _Messy) -> None:
    period = m.next_period()
    sheets = m.sheets(period, n=3)
    rows = sheets["placements"] + [
        dict(m.placement(period), seq=4),
        dict(m.placement(period), seq=5),
        dict(m.placement(period), seq=6),
    ]
    y, mo = int(period[:4]), int(period[5:])
    day = month_days(period)[1].day
    serial = (date(y, mo, day) - date(1899, 12, 30)).days
    forms: list[object] = [
        serial,
        f"{y}/{mo}/{day}",
        f"{y}.{mo}.{day}",
        f"{y}{mo:02d}{day:02d}",
        f"{y}年{mo}月{day}日",
        f"{y}-{mo:02d}-{day:02d}",
    ]
    for row, form in zip(rows, forms, strict=True):
        row["placed_on"] = form
    sheets["placements"] = rows
    cover = m.cover(period)
    cover["period"] = f"{y}{mo:02d}"  # 报告期 as 202406
    m.write("date_forms", f"XH_{period}.xlsx", period, cover, sheets)


def _amount_forms(m: _Messy) -> None:
    period = m.next_period()
    sheets = m.sheets(period)
    rows = sheets["placements"] + [dict(m.placement(period), seq=i) for i in (4, 5)]
    for row, amount in zip(rows, ["1,500", "1500元", "１５００", "1500.00", "1500多"], strict=True):
        row["monthly_income"] = amount
    sheets["placements"] = rows
    m.write("amount_forms", f"XH_{period}.xlsx", period, m.cover(period), sheets)


def _codes_as_aliases_traditional(m: _Messy) -> None:
    period = m.next_period()
    cats = [("01",), ("02",), ("05",), ("02", "01"), ("03",)]
    rows = [dict(m.placement(period, c), seq=i) for i, c in enumerate(cats, start=1)]
    for row, cat_text, channel in zip(
        rows,
        ["低保户", "殘疾人", "4050人员", "02、低收入", "困難職工家庭"],
        ["企業吸納", "10", "手工外包", "殘疾人之家", "公益崗位"],
        strict=True,
    ):
        row["categories"], row["channel"] = cat_text, channel
    sheets = m.sheets(period)
    sheets["placements"] = rows
    sheets["training"][0]["training_type"] = "就業技能培訓"
    sheets["events"][0]["event_type"] = "政策研讀講座"
    m.write("codes_as_aliases_traditional", f"XH_{period}.xlsx", period, m.cover(period), sheets)


def _duplicate_person(m: _Messy) -> None:
    def dup(sheets: dict[str, list[Row]]) -> None:
        rows = sheets["placements"]
        rows.append(dict(rows[0], seq=len(rows) + 1))

    m.standard("duplicate_person", dup)


def _byte_identical_copy(m: _Messy) -> None:
    original = m.standard("byte_identical_original")
    period = original.stem.split("_")[1]
    copy = m.inbox / f"XH_{period}(1).xlsx"  # how a second download of the same attachment is named
    shutil.copyfile(original, copy)
    m.done("byte_identical_copy", copy, period, m.delivered(period) + timedelta(hours=2))


def _unknown_station(m: _Messy) -> None:
    period = m.next_period()
    m.write("unknown_station", f"ZZ_{period}.xlsx", period, m.cover(period, "ZZ"), m.sheets(period))


def _cover_mismatch(m: _Messy) -> None:
    period = m.next_period()
    m.write("cover_mismatch", f"XH_{period}.xlsx", period, m.cover(period, "WH"), m.sheets(period))


def _csv_set(m: _Messy, key: str, encoding: str) -> None:
    period = m.next_period()
    cover, sheets = m.cover(period), m.sheets(period)
    prefix = f"XH_{period}"
    paths = []
    cover_path = m.inbox / f"{prefix}_cover.csv"
    with cover_path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        for k, v in cover.items():
            w.writerow([m.ref.headers["cover"][k][0], _csv_text(v)])
    paths.append(cover_path)
    for sheet in m.ref.stations["XH"].sheets:
        path = m.inbox / f"{prefix}_{m.ref.sheets[sheet]['csv']}.csv"
        fields = list(m.ref.headers[sheet])
        with path.open("w", encoding=encoding, newline="") as fh:
            w = csv.writer(fh)
            w.writerow([m.ref.headers[sheet][f][0] for f in fields])
            for row in sheets.get(sheet, []):
                w.writerow([_csv_text(row.get(f)) for f in fields])
        paths.append(path)
    for path in paths:
        set_delivery_time(path, m.delivered(period))
    m.out[key] = cover_path


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _truncated_xlsx(m: _Messy) -> None:
    path = m.standard("truncated_xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # an interrupted download
    m.done("truncated_xlsx", path, path.stem.split("_")[1])


def _password_protected(m: _Messy) -> None:
    period = m.next_period()
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
        b'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    package = struct.pack("<Q", 6144) + m.rng.randbytes(6144)
    path = m.inbox / f"XH_{period}.xlsx"
    path.write_bytes(build_compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    m.done("password_protected", path, period)


def _old_xls(m: _Messy) -> None:
    period = m.next_period()
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0600)
    path = m.inbox / f"XH_{period}.xls"
    path.write_bytes(build_compound_file({"Workbook": bof + bytes(4096)}))
    m.done("old_xls", path, period)


def _empty_file(m: _Messy) -> None:
    period = m.next_period()
    path = m.inbox / f"XH_{period}.xlsx"
    path.write_bytes(b"")
    m.done("empty_file", path, period)


def _not_a_spreadsheet(m: _Messy) -> None:
    period = m.next_period()
    path = m.inbox / f"XH_{period}.xlsx"
    path.write_bytes("%PDF-1.4\n% 关于召开就业服务站工作例会的通知\n".encode())
    m.done("not_a_spreadsheet", path, period)


def _huge_sheet_extent(m: _Messy) -> None:
    # One stray value in the last cell Excel has: the sheet now spans 1,048,576 rows × 16,384
    # columns, as when a clerk pastes into a whole column by mistake.
    m.standard("huge_sheet_extent", stray_cells={"placements": [(1_048_575, 16_383, "备注")]})


def _formula_like_cells(m: _Messy) -> None:
    def formulas(sheets: dict[str, list[Row]]) -> None:
        rows = sheets["placements"]
        rows[0]["name"] = '=HYPERLINK("http://x","y")'
        rows[1]["employer"] = "+86连云港某公司"
        rows[2]["note"] = "@张老师跟进"
        rows[0]["job"] = "-保洁-"

    m.standard("formula_like_cells", formulas)


def _resubmission(m: _Messy) -> None:
    period = m.next_period()
    cover, sheets = m.cover(period), m.sheets(period)
    m.write("resubmission_original", f"XH_{period}.xlsx", period, cover, sheets)
    fixed = {k: [dict(r) for r in v] for k, v in sheets.items()}
    fixed["placements"][0]["monthly_income"] = 1880
    when = m.delivered(period) + timedelta(days=12)
    cover = dict(cover, filled_on=when.date())
    path = write_return_workbook(m.inbox / f"XH_{period}_更正.xlsx", cover, fixed)
    m.done("resubmission", path, period, when)


VARIANTS: list[Callable[[_Messy], None]] = [
    _title_rows_merged_cells,
    _traditional_headers_pinyin,
    _reordered_and_extra_columns,
    _missing_required_column,
    _id_typed_as_number,
    _id_lowercase_x_fullwidth,
    _date_forms,
    _amount_forms,
    _codes_as_aliases_traditional,
    _duplicate_person,
    _byte_identical_copy,
    _unknown_station,
    _cover_mismatch,
    lambda m: _csv_set(m, "csv_set_gb18030", "gb18030"),
    lambda m: _csv_set(m, "csv_utf8_bom", "utf-8-sig"),
    _truncated_xlsx,
    _password_protected,
    _old_xls,
    _empty_file,
    _not_a_spreadsheet,
    _formula_like_cells,
    _resubmission,
    _huge_sheet_extent,  # last, so adding it left the other variants' periods unchanged
]


def generate_messy_returns(inbox: Path, seed: int = 7) -> dict[str, Path]:
    """Write one messy return per returns.md §4 item into `inbox`; short name → path.

    CSV sets are keyed to their `_cover.csv`; the sibling sheet files share its prefix.
    Extra keys `byte_identical_original` and `resubmission_original` name the first files.
    """
    inbox.mkdir(parents=True, exist_ok=True)
    m = _Messy(inbox, seed)
    for variant in VARIANTS:
        variant(m)
    return m.out


# -- a minimal OLE compound file (CFB v3), enough to be recognised like Office's own -----------

_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_SECTOR = 512


def _dir_entry(
    name: str, kind: int, left: int, right: int, child: int, start: int, size: int
) -> bytes:
    raw = (name + "\0").encode("utf-16-le") if name else b""
    return (
        raw.ljust(64, b"\0")
        + struct.pack("<HBB", len(raw), kind, 1)  # 1 = black: a valid (degenerate) red-black tree
        + struct.pack("<III", left, right, child)
        + bytes(16 + 4 + 16)  # CLSID, state bits, times
        + struct.pack("<IQ", start, size)
    )


def build_compound_file(streams: dict[str, bytes]) -> bytes:
    """A CFB file whose streams are all ≥ 4096 bytes (so no mini stream is needed).

    Streams are chained as right siblings in the order CFB sorts names (length, then upper case).
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    data = {n: streams[n].ljust(max(4096, len(streams[n])), b"\0") for n in names}
    fat: list[int] = [_FATSECT, _END]  # sector 0 = FAT, sector 1 = directory
    starts = {}
    for n in names:
        count = -(-len(data[n]) // _SECTOR)
        starts[n] = len(fat)
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(_END)
    if len(fat) > _SECTOR // 4:
        raise ValueError("streams too large for a one-sector FAT")
    entries = [_dir_entry("Root Entry", 5, _FREE, _FREE, 1 if names else _FREE, _END, 0)]
    for i, n in enumerate(names, start=1):
        right = i + 1 if i < len(names) else _FREE
        entries.append(_dir_entry(n, 2, _FREE, right, _FREE, starts[n], len(streams[n])))
    while len(entries) % 4:
        entries.append(_dir_entry("", 0, _FREE, _FREE, _FREE, 0, 0))
    if len(entries) > 4:
        raise ValueError("at most three streams")
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    fat_sector = struct.pack(f"<{_SECTOR // 4}I", *(fat + [_FREE] * (_SECTOR // 4 - len(fat))))
    body = b"".join(data[n].ljust(-(-len(data[n]) // _SECTOR) * _SECTOR, b"\0") for n in names)
    return header + fat_sector + b"".join(entries) + body
