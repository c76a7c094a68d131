"""The feedback workbook a station clerk gets back for one return (xlsxwriter).

Two sheets: 概况 (what we received and what happened to it, plus file- and sheet-level
problems) and 问题明细 (one line per problem, with the Excel row, the column, what is
wrong and how to fix it, in the words of reasons.csv). Persons are identified for the
clerk by masked values only (`张*`, `320706********123X`).

Text that starts with `=`, `+`, `-`, `@`, tab or CR (a station once typed
`=HYPERLINK(...)` as a name) must never become a live formula in Excel or WPS. Such
text is written (1) with `write_string`, so the cell is a string cell and not a
formula, (2) with a visible leading `'`, so it stays inert when the clerk copies it
to another sheet or saves the workbook as CSV, and (3) with the cell's quotePrefix
attribute, so it stays text when the clerk presses F2 and Enter on it. The workbook is
also opened with `strings_to_formulas/numbers/urls` off, so no other string is ever
reinterpreted.

The bytes are deterministic: the document properties are fixed (created = the time
the return was received) and xlsxwriter writes its zip entries with a fixed date.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from foundation.reference import Reference, bureau, workbook_words
from transforms.pseudonym import mask_id, mask_name

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED_CREATED = datetime(2000, 1, 1)

PARTIAL_PREFIX = ".partial-"


def _words() -> dict[str, Any]:
    """The workbook's words (reference/workbooks.yaml `feedback`)."""
    return dict(workbook_words()["feedback"])


def safe_text(value: object) -> str:
    """The text to write: a leading `'` for anything a spreadsheet could run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def identity_rows(typed_by_sheet: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """`return_id, sheet, row_number, name, id_number` from typed frames, for the clerk's
    lookup.

    Placements identify a person by name and ID; households by the head's name and ID.
    Other sheets carry no person. `return_id` is null for frames without one.
    """
    sources = {
        "placements": ("name", "id_number", "id_raw"),
        "households": ("head_name", "head_id_number", "head_id_raw"),
    }
    frames = []
    for sheet, frame in typed_by_sheet.items():
        if sheet not in sources or frame.height == 0:
            continue
        name, id_number, id_raw = sources[sheet]
        ids = [c for c in (id_number, id_raw) if c in frame.columns]
        frames.append(
            frame.select(
                (pl.col("return_id") if "return_id" in frame.columns else pl.lit(None))
                .cast(pl.String)
                .alias("return_id"),
                pl.lit(sheet).alias("sheet"),
                pl.col("row_number").cast(pl.Int64),
                (pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)).alias(
                    "name"
                ),
                (pl.coalesce(ids) if ids else pl.lit(None, dtype=pl.String)).alias("id_number"),
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "return_id": pl.String,
                "sheet": pl.String,
                "row_number": pl.Int64,
                "name": pl.String,
                "id_number": pl.String,
            }
        )
    return pl.concat(frames)


def _period_zh(period: str | None) -> str:
    if not period or len(period) != 7:
        return period or _words()["unknown"]
    return str(workbook_words()["period"]).format(year=int(period[:4]), month=int(period[5:]))


def _station_zh(code: str | None, ref: Reference) -> str:
    if code is None:
        return str(_words()["unknown"])
    station = ref.stations.get(code)
    return str(_words()["station"]).format(name=station.name, code=code) if station else code


def _sheet_zh(sheet: str | None, ref: Reference) -> str:
    if sheet is None:
        return str(_words()["no_sheet"])
    return str(ref.sheets.get(sheet, {}).get("label", sheet))


def _problems(
    issues: pl.DataFrame, typed_rows: pl.DataFrame | None, ref: Reference
) -> list[dict[str, Any]]:
    """Issues in the clerk's reading order, with messages and masked identities."""
    sheet_order = {sheet: i for i, sheet in enumerate(ref.sheets)}
    words = _words()
    people: dict[tuple[Any, Any], tuple[str | None, str | None]] = {}
    if typed_rows is not None:
        for row in typed_rows.iter_rows(named=True):
            people[(row["sheet"], row["row_number"])] = (row.get("name"), row.get("id_number"))
    out = []
    for issue in issues.iter_rows(named=True):
        reason = ref.reasons[issue["reason_code"]]
        name, id_number = people.get((issue.get("sheet"), issue.get("row_number")), (None, None))
        detail = issue.get("detail") or ""
        out.append(
            {
                "order": (
                    sheet_order.get(issue.get("sheet") or "", -1),
                    issue.get("row_number") or 0,
                    issue.get("column_name") or "",
                    issue["reason_code"],
                ),
                "sheet": issue.get("sheet"),
                "row_number": issue.get("row_number"),
                "column_name": issue.get("column_name") or "",
                "message": (
                    words["detail"].format(message=reason.message_zh, detail=detail)
                    if detail
                    else reason.message_zh
                ),
                "fix": reason.fix_zh,
                "outcome": words["outcomes"].get(reason.severity, ""),
                "level": reason.level,
                "name": mask_name(name) or "",
                "id_number": mask_id(id_number) or "",
            }
        )
    return sorted(out, key=lambda p: p["order"])


class _Writer:
    """Every cell goes through `text` or `number`: no formula can be written by accident."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.plain = book.add_format({"text_wrap": True, "valign": "top"})
        self.guarded = book.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
        self.bold = book.add_format(
            {"bold": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )

    def text(self, sheet: Any, row: int, col: int, value: object, bold: bool = False) -> None:
        text = safe_text(value)
        guarded = text != ("" if value is None else str(value))
        sheet.write_string(
            row, col, text, self.bold if bold else self.guarded if guarded else self.plain
        )

    def number(self, sheet: Any, row: int, col: int, value: int | None) -> None:
        if value is None:
            sheet.write_blank(row, col, None, self.plain)
        else:
            sheet.write_number(row, col, value, self.plain)


def write_feedback(
    path: Path,
    return_info: Mapping[str, Any],
    issues: pl.DataFrame,
    typed_rows: pl.DataFrame | None,
    ref: Reference,
) -> Path:
    """Write the feedback workbook for one return and return its path.

    `return_info`: `station_code, period ('YYYY-MM'), file_name, received_at (datetime),
    rows_received, rows_accepted, rows_quarantined, held_back` (a `Decision.returns` row
    plus the manifest fields). `issues`: this return's issues (`sheet, row_number,
    column_name, reason_code, detail`; row_number null for file/sheet-level problems).
    `typed_rows`: `identity_rows(...)` of this return, or None when nothing was parsed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    problems = _problems(issues, typed_rows, ref)
    received_at = return_info.get("received_at")
    # Written beside its final name and renamed into place: a run killed mid-write leaves
    # the previous workbook (or none), never half of one; the partial is swept next night.
    fd, partial_name = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=".xlsx", dir=path.parent)
    os.close(fd)
    partial = Path(partial_name)
    try:
        _write_book(partial, return_info, problems, received_at, ref)
        partial.chmod(0o600)  # masked, but still about people: the owner's only
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def sweep_partials(folder: Path) -> list[Path]:
    """Remove workbooks left half-written by a killed run (only one run holds the home)."""
    gone = sorted(folder.glob(f"*/{PARTIAL_PREFIX}*.xlsx")) if folder.is_dir() else []
    for partial in gone:
        partial.unlink(missing_ok=True)
    return gone


def _write_book(
    path: Path,
    return_info: Mapping[str, Any],
    problems: Any,
    received_at: Any,
    ref: Reference,
) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {
            # Assembled in memory: xlsxwriter's default temporary file per part cost
            # more than the workbook itself, thousands of times a night.
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    words = _words()
    book.set_properties(
        {
            "title": words["title"].format(**bureau()),
            "author": bureau()["bureau"],
            "created": received_at if isinstance(received_at, datetime) else FIXED_CREATED,
        }
    )
    out = _Writer(book)

    summary = book.add_worksheet(words["summary_sheet"])
    summary.set_column(0, 0, 22)
    summary.set_column(1, 1, 60)
    summary.set_column(2, 2, 50)
    held = bool(return_info.get("held_back"))
    heads, refused = words["summary"], words["refused"]
    lines: list[tuple[str, object]] = [
        (heads["station"], _station_zh(return_info.get("station_code"), ref)),
        (heads["period"], _period_zh(return_info.get("period"))),
        (heads["file_name"], return_info.get("file_name", "")),
        (
            heads["received_at"],
            received_at.strftime("%Y-%m-%d %H:%M") if isinstance(received_at, datetime) else "",
        ),
        (heads["rows_received"], return_info.get("rows_received")),
        (heads["rows_accepted"], return_info.get("rows_accepted")),
        (heads["rows_quarantined"], return_info.get("rows_quarantined")),
        (
            heads["refused"],
            refused["held_back"]
            if held
            else refused["rejected"]
            if return_info.get("rejected")
            else refused["not_refused"],
        ),
        (heads["problems"], len(problems)),
    ]
    for row, (label, value) in enumerate(lines):
        out.text(summary, row, 0, label, bold=True)
        if isinstance(value, int) or value is None:
            out.number(summary, row, 1, value)
        else:
            out.text(summary, row, 1, value)

    general = [p for p in problems if p["row_number"] is None]
    row = len(lines) + 1
    general_heads = words["general"]
    out.text(summary, row, 0, general_heads["heading"], bold=True)
    out.text(summary, row, 1, general_heads["message"], bold=True)
    out.text(summary, row, 2, general_heads["fix"], bold=True)
    if not general:
        out.text(summary, row + 1, 0, general_heads["none"])
    for i, problem in enumerate(general, start=row + 1):
        out.text(
            summary,
            i,
            0,
            words["column"].format(
                sheet=_sheet_zh(problem["sheet"], ref), column=problem["column_name"]
            )
            if problem["column_name"]
            else _sheet_zh(problem["sheet"], ref),
        )
        out.text(summary, i, 1, problem["message"])
        out.text(summary, i, 2, problem["fix"])

    detail = book.add_worksheet(words["detail_sheet"])
    headers = words["detail_headers"]
    for col, (header, width) in enumerate(
        zip(headers, (14, 8, 16, 48, 44, 20, 10, 22), strict=True)
    ):
        detail.set_column(col, col, width)
        out.text(detail, 0, col, header, bold=True)
    detail.freeze_panes(1, 0)
    for i, problem in enumerate(problems, start=1):
        out.text(detail, i, 0, _sheet_zh(problem["sheet"], ref))
        out.number(detail, i, 1, problem["row_number"])
        out.text(detail, i, 2, problem["column_name"])
        out.text(detail, i, 3, problem["message"])
        out.text(detail, i, 4, problem["fix"])
        out.text(
            detail,
            i,
            5,
            words["whole_file"] if problem["row_number"] is None else problem["outcome"],
        )
        out.text(detail, i, 6, problem["name"])
        out.text(detail, i, 7, problem["id_number"])
    detail.autofilter(0, 0, max(len(problems), 1), len(headers) - 1)
    book.close()
