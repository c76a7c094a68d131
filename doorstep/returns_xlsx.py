"""The one writer of return workbooks (template layout of returns.md §2).

Used by the blank template (`doorstep.template`) and by the demo generators, so the
demo returns look exactly like what the bureau hands out. Output is byte-identical
for identical input: the zip members get xlsxwriter's fixed 1980 timestamp (only in
`in_memory` mode) and the document's created date is derived from the report period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from foundation.fields import COVER, SHEETS, FieldSpec, template_fields
from foundation.reference import (
    Code,
    Reference,
    bureau,
    load_reference,
    value_lists,
    workbook_words,
)
from transforms.values import parse_period

SHEET_ORDER = (COVER, *SHEETS)

TEMPLATE_ROWS = 500
DEFAULT_WIDTH = 12


def canonical_header(ref: Reference, sheet: str, field: str) -> str:
    """The template's header for a field: its first header in the field registry."""
    return ref.headers[sheet][field][0]


def period_label(period: str) -> str:
    """`2024-06` → `2024年6月` (the form the cover and title rows use)."""
    year, month = period.split("-")
    return str(workbook_words()["period"]).format(year=int(year), month=int(month))


def _created_from_period(cover: Mapping[str, object]) -> datetime:
    # A fixed stamp derived from the data, never now(): identical input → identical bytes.
    period = parse_period(str(cover.get("period") or ""))
    if period is None:
        return datetime(2000, 1, 1)
    year, month = (int(p) for p in period.split("-"))
    return datetime(year + month // 12, month % 12 + 1, 1)


def _choices(spec: FieldSpec, ref: Reference) -> list[str]:
    """A field's dropdown labels: a code list of the reference (`@channels`) or literal."""
    if spec.choices.startswith("@"):
        codes: dict[str, Code] = getattr(ref, spec.choices[1:])
        return [c.label for c in codes.values()]
    return [c for c in spec.choices.split("|") if c]


def _dropdowns(ref: Reference, sheet: str) -> dict[str, tuple[list[str], bool]]:
    """field → (allowed labels, strict), from the field registry.

    A list-valued field (categories) is not strict: a person may carry two.
    """
    return {
        spec.name: (_choices(spec, ref), spec.type != "varchar[]")
        for spec in template_fields(sheet)
        if spec.choices
    }


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.title = wb.add_format(
            {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
        )
        self.header = wb.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "border": 1,
                "bg_color": "#DDEBF7",
            }
        )
        self.text = wb.add_format({"num_format": "@", "border": 1})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "border": 1})
        self.plain = wb.add_format({"border": 1})
        self.key = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
        self.signoff = wb.add_format({"align": "left"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})


def _write_value(ws: Worksheet, row: int, col: int, value: object, fmt: Any, date_fmt: Any) -> None:
    # write_string, never write(): a name like `=HYPERLINK(...)` must stay text.
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, value_lists()["yes_no"]["yes" if value else "no"].label, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, date_fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), date_fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


@cache
def _template_specs(sheet: str) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in template_fields(sheet)}


def _spec(sheet: str, name: str) -> FieldSpec | None:
    return _template_specs(sheet).get(name)


def _is_text(sheet: str, name: str) -> bool:
    """Excel must keep the column as text: an ID typed into a General cell loses digits."""
    spec = _spec(sheet, name)
    return spec is not None and spec.cell == "text"


def _cell_format(sheet: str, field: str, f: _Formats) -> Any:
    spec = _spec(sheet, field)
    if spec is not None and spec.cell == "text":
        return f.text
    if spec is not None and spec.type == "date":
        return f.date
    return f.plain


def _write_cover(ws: Worksheet, cover: Mapping[str, object], ref: Reference, f: _Formats) -> None:
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 32)
    fields = ref.headers["cover"]
    for i, (key, value) in enumerate(cover.items()):
        label = canonical_header(ref, "cover", key) if key in fields else key
        ws.write_string(i, 0, label, f.key)
        _write_value(ws, i, 1, value, _cell_format("cover", key, f), f.date)


def _write_data_sheet(
    ws: Worksheet,
    sheet: str,
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[str],
    labels: Mapping[str, str],
    period_text: str,
    ref: Reference,
    f: _Formats,
    *,
    title_rows: bool,
    template: bool,
) -> None:
    words = workbook_words()["returns"]
    r = 0
    last_col = max(len(columns) - 1, 0)
    if title_rows:
        title = words["sheet_title"].format(
            **bureau(), sheet=ref.sheets[sheet]["label"], period=period_text
        )
        if last_col:
            ws.merge_range(0, 0, 0, last_col, title, f.title)
        else:
            ws.write_string(0, 0, title, f.title)
        ws.set_row(0, 26)
        r = 1
    header_row = r
    for c, field in enumerate(columns):
        ws.write_string(header_row, c, labels.get(field, field), f.header)
        ws.set_column(
            c,
            c,
            getattr(_spec(sheet, field), "width", None) or DEFAULT_WIDTH,
            _cell_format(sheet, field, f) if template else None,
        )
    ws.freeze_panes(header_row + 1, 0)
    for i, row in enumerate(rows):
        for c, field in enumerate(columns):
            value = row.get(field)
            # A number in a text column is what a clerk's General cell holds: keep it General.
            fmt = f.plain if isinstance(value, (int, float)) else _cell_format(sheet, field, f)
            _write_value(ws, header_row + 1 + i, c, value, fmt, f.date)
    last = header_row + len(rows)
    if template:
        first = header_row + 1
        text_cols = [c for c, fld in enumerate(columns) if _is_text(sheet, fld)]
        for row_i in range(first + len(rows), first + TEMPLATE_ROWS):
            for c in text_cols:
                ws.write_blank(row_i, c, None, f.text)
        for field, (allowed, strict) in _dropdowns(ref, sheet).items():
            if field not in columns:
                continue
            c = columns.index(field)
            ws.data_validation(
                first,
                c,
                first + TEMPLATE_ROWS - 1,
                c,
                {
                    "validate": "list",
                    "source": allowed,
                    "error_type": "stop" if strict else "information",
                    "input_title": labels.get(field, field)[:32],
                    "input_message": words["pick_from_list"]
                    + ("" if strict else words["pick_several"]),
                },
            )
    elif title_rows:
        ws.write_string(
            last + 2,
            0,
            words["signoff"],
            f.signoff,
        )


def write_return_workbook(
    path: Path,
    cover: Mapping[str, object],
    sheets: Mapping[str, Sequence[Mapping[str, object]]],
    *,
    title_rows: bool = True,
    template: bool = False,
    columns: Mapping[str, Sequence[str]] | None = None,
    header_labels: Mapping[str, Mapping[str, str]] | None = None,
    sheet_names: Mapping[str, str] | None = None,
    instructions: Sequence[str] | None = None,
    created: datetime | None = None,
    stray_cells: Mapping[str, Sequence[tuple[int, int, object]]] | None = None,
) -> Path:
    """Write one return workbook in the template layout; returns `path`.

    `cover` maps cover field names (or any literal key) to values; `sheets` maps sheet keys
    (`placements`, …) to rows of canonical field → value. Value types decide the cell type:
    str → text (never a formula), int/float → number, date → Excel date, None → blank.
    The keyword-only options exist for the messy variants: `columns` (order; a field left out
    is a missing column, an unknown key an extra one), `header_labels` (header text per field),
    `sheet_names` (sheet tab names), `stray_cells` (sheet → (row, col, value), 0-based, e.g. a
    value pasted far below the table). `template` adds dropdowns and ~500 text-formatted rows.
    """
    ref = load_reference()
    words = workbook_words()["returns"]
    path.parent.mkdir(parents=True, exist_ok=True)
    period = parse_period(str(cover.get("period") or ""))
    period_text = period_label(period) if period else str(cover.get("period") or "")
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    stamp = created or _created_from_period(cover)
    wb.set_properties(
        {
            "title": words["title"].format(**bureau(), period=period_text),
            "author": bureau()["bureau"],
            "company": bureau()["bureau"],
            "created": stamp,
        }
    )
    f = _Formats(wb)
    names = dict(sheet_names or {})
    _write_cover(wb.add_worksheet(names.get("cover", ref.sheets["cover"]["label"])), cover, ref, f)
    for sheet in [s for s in SHEET_ORDER if s in sheets and s != "cover"] + [
        s for s in sheets if s not in SHEET_ORDER
    ]:
        ws = wb.add_worksheet(names.get(sheet, ref.sheets.get(sheet, {}).get("label", sheet)))
        fields = list(ref.headers.get(sheet, {}))
        cols = list(columns[sheet]) if columns and sheet in columns else fields
        labels = {fld: canonical_header(ref, sheet, fld) for fld in fields}
        labels.update((header_labels or {}).get(sheet, {}))
        _write_data_sheet(
            ws,
            sheet,
            sheets[sheet],
            cols,
            labels,
            period_text,
            ref,
            f,
            title_rows=title_rows,
            template=template,
        )
        for row_i, col_i, value in (stray_cells or {}).get(sheet, []):
            _write_value(ws, row_i, col_i, value, None, f.date)
    if instructions is not None:
        ws = wb.add_worksheet(words["instructions_sheet"])
        ws.set_column(0, 0, 100, f.wrap)
        for i, line in enumerate(instructions):
            ws.write_string(i, 0, line, f.title if i == 0 else f.wrap)
    wb.close()
    return path
