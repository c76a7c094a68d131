"""CSV files → grids: strict decoding (UTF-8 with/without BOM, then GB18030), no guessing."""

from __future__ import annotations

import csv
import io
import re

from doorstep.ingest.grid import Grid

UTF8_BOM = b"\xef\xbb\xbf"
# GB18030 maps almost any byte pair somewhere; Latin-1 bytes mis-read as GB18030 land in
# the private-use area or produce C1 controls, which no Chinese return contains.
_IMPLAUSIBLE = re.compile("[\u0080-\u009f\ue000-\uf8ff]")
# UTF-8 Chinese (three bytes E4–E9 80–BF 80–BF) also decodes as GB18030, into nonsense.
_UTF8_CJK = re.compile(rb"[\xe4-\xe9][\x80-\xbf][\x80-\xbf]")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def decode_csv(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) or None when the bytes are neither UTF-8 nor GB18030."""
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM) :].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return None  # UTF-8 with a few broken bytes: reading it as GB18030 would garble it
    try:
        text = data.decode("gb18030", errors="strict")
    except UnicodeDecodeError:
        return None
    if _IMPLAUSIBLE.search(text):
        return None
    return text, "gb18030"


def _mostly_utf8(data: bytes) -> bool:
    high = len(_HIGH_BYTE.findall(data))
    return high > 0 and 3 * len(_UTF8_CJK.findall(data)) >= 0.8 * high


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    if "," not in first and "\t" in first:
        return "\t"
    return ","


def csv_grid(text: str) -> Grid:
    """Rows of cells; row i is what a spreadsheet shows as row i + 1. Nothing is a number in CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[str | None]] = [
        [cell if cell != "" else None for cell in row] for row in reader
    ]
    return Grid(rows, None, first_row=1)
