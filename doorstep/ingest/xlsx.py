"""xlsx → grids of cell texts, via fastexcel (calamine).

fastexcel gives a column one dtype, so each sheet is loaded three times over the same
parsed cells (cheap after the first): as strings (what the station sees), as booleans
(non-null exactly for NUMBER and BOOLEAN cells — strings are never coerced) and as
datetimes (non-null for date cells and numbers). Together they tell a date cell from a
number from text, per cell.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import fastexcel
import polars as pl

from doorstep.ingest.grid import Grid
from doorstep.ingest.guards import sheet_extent, too_large, worksheet_members, zip_problem
from foundation.reference import detail
from foundation.settings import Settings


class WorkbookProblem(Exception):
    """The workbook cannot be used; carries the reason code and words for the clerk."""

    def __init__(self, reason_code: str, detail: str = "") -> None:
        super().__init__(reason_code)
        self.reason_code = reason_code
        self.detail = detail


def render_number(text: str) -> str:
    """A NUMBER cell as digits without loss and without exponent: 3.20706E+17 → 320706000000000000.

    fastexcel prints integral floats as the exact binary value (…1011008); the shortest
    decimal that round-trips (repr) is what Excel stored and showed.
    """
    try:
        value = float(text)
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text
    if value.is_integer() and abs(value) < 1e300:
        digits = format(Decimal(repr(value)), "f")
        return digits.split(".")[0] if "." in digits else digits
    return format(Decimal(repr(value)), "f")


def cell_grid(text: pl.DataFrame, booleans: pl.DataFrame, dates: pl.DataFrame | None) -> Grid:
    """Merge the loads of one sheet into cell texts + was-number flags (pure, column-wise).

    `text`: fastexcel's string rendering; `booleans`: non-null exactly for NUMBER and
    BOOLEAN cells; `dates`: the datetime load formatted `%Y-%m-%d %H:%M:%S`, or None when
    the sheet has no date cell. All three have the same shape.
    """
    n = text.width
    frames = [text.rename(_names(text, "t")), booleans.rename(_names(booleans, "b"))]
    if dates is not None:
        frames.append(dates.rename(_names(dates, "d")))
    wide = pl.concat(frames, how="horizontal")
    texts, flags, long_numbers = [], [], []
    for k in range(n):
        t, b = pl.col(f"t{k}"), pl.col(f"b{k}")
        is_boolean = b.is_not_null() & t.is_in(["true", "false"])
        is_number = (b.is_not_null() & t.is_not_null() & ~is_boolean).fill_null(False)
        expr: Any = pl.when(is_boolean).then(t.str.to_uppercase())  # Excel shows TRUE/FALSE
        if dates is not None:
            d = pl.col(f"d{k}")
            day, time = d.str.slice(0, 10), d.str.slice(11)
            # A time-only cell is day 0 (1899-12-30/31): its time is what the clerk sees.
            as_shown = pl.when((day < "1900") & (time != "00:00:00")).then(time).otherwise(day)
            expr = expr.when(b.is_null() & d.is_not_null()).then(as_shown)
        texts.append(expr.otherwise(t).alias(f"t{k}"))
        flags.append(is_number.alias(f"f{k}"))
        # Past 15 digits fastexcel prints the float's binary value; those few go through repr.
        long_numbers.append((is_number & (t.str.len_chars() > 15)).alias(f"l{k}"))
    out = wide.select(*texts, *flags, *long_numbers)
    columns: list[list[Any]] = []
    for k in range(n):
        values = out.get_column(f"t{k}").to_list()
        for i in out.get_column(f"l{k}").arg_true().to_list():
            values[i] = render_number(values[i])
        columns.append(values)
    rows = [list(r) for r in zip(*columns, strict=True)]
    flag_frame = out.select([f"f{k}" for k in range(n)])
    if not flag_frame.select(pl.any_horizontal(pl.all().any())).item():
        return Grid(rows, None, first_row=1)
    flag_columns = [flag_frame.get_column(c).to_list() for c in flag_frame.columns]
    return Grid(rows, [list(r) for r in zip(*flag_columns, strict=True)], first_row=1)


def _names(frame: pl.DataFrame, prefix: str) -> dict[str, str]:
    return {name: f"{prefix}{k}" for k, name in enumerate(frame.columns)}


@dataclass
class Workbook:
    """An opened, guarded workbook; sheets are loaded on demand."""

    reader: Any
    settings: Settings
    sheet_names: list[str] = field(default_factory=list)
    _grids: dict[str, Grid] = field(default_factory=dict)

    def grid(self, name: str) -> Grid:
        if name not in self._grids:
            self._grids[name] = self._load(name)
        return self._grids[name]

    def _load(self, name: str) -> Grid:
        try:
            return self._load_unchecked(name)
        except WorkbookProblem:
            raise
        except Exception as exc:  # calamine reports broken parts under many error types
            raise WorkbookProblem(
                "FILE_CORRUPT", detail("sheet_unreadable", sheet=name, error=type(exc).__name__)
            ) from exc

    def _load_unchecked(self, name: str) -> Grid:
        # n_rows caps what is materialised; the guards have already bounded the extent.
        common: dict[str, Any] = {
            "header_row": None,
            "skip_rows": 0,
            "n_rows": self.settings.max_rows + 1,
        }
        text = self.reader.load_sheet(name, dtypes="string", **common).to_polars()
        if text.height > self.settings.max_rows or text.width > self.settings.max_columns:
            raise WorkbookProblem(
                "FILE_TOO_LARGE",
                detail("named_sheet_too_large", sheet=name, rows=text.height, columns=text.width),
            )
        if text.height == 0 or text.width == 0:
            return Grid([], None, first_row=1)
        booleans = self.reader.load_sheet(name, dtypes="boolean", **common).to_polars()
        dates = None
        if _has_datetime_text(text):
            loaded = self.reader.load_sheet(name, dtypes="datetime", **common).to_polars()
            # Formatted in polars: a number read as a date (20240531 → year 57000) has no
            # Python datetime, and number cells never use this text anyway.
            dates = loaded.select(pl.all().dt.strftime("%Y-%m-%d %H:%M:%S"))
        return cell_grid(text, booleans, dates)


def _has_datetime_text(frame: pl.DataFrame) -> bool:
    # fastexcel prints a date cell as `2024-05-31 00:00:00`; only then is the third load needed.
    return bool(
        frame.select(
            pl.any_horizontal(pl.all().str.contains(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").any())
        ).item()
    )


def open_workbook(data: bytes, settings: Settings) -> Workbook:
    """Guard and open an xlsx held in memory; raises WorkbookProblem for unusable files."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookProblem("FILE_CORRUPT", detail("zip_broken")) from exc
    with zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            if "xl/workbook.bin" in names:
                raise WorkbookProblem("FILE_NOT_SPREADSHEET", detail("xlsb"))
            if "word/document.xml" in names or "ppt/presentation.xml" in names:
                raise WorkbookProblem("FILE_NOT_SPREADSHEET", detail("office_document"))
            raise WorkbookProblem("FILE_NOT_SPREADSHEET", detail("no_workbook"))
        if (problem := zip_problem(zf, len(data), settings)) is not None:
            raise WorkbookProblem("FILE_TOO_LARGE", problem)
        try:
            for member in worksheet_members(zf):
                if (problem := too_large(sheet_extent(zf, member, settings), settings)) is not None:
                    raise WorkbookProblem("FILE_TOO_LARGE", problem)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise WorkbookProblem("FILE_CORRUPT", detail("sheet_data_broken")) from exc
        except Exception as exc:  # zlib.error and CRC failures surface under several types
            if isinstance(exc, WorkbookProblem):
                raise
            raise WorkbookProblem("FILE_CORRUPT", detail("sheet_data_broken")) from exc
    try:
        reader = fastexcel.read_excel(data)
        sheet_names = list(reader.sheet_names)
    except Exception as exc:  # calamine reports broken parts under many error types
        raise WorkbookProblem("FILE_CORRUPT", type(exc).__name__) from exc
    return Workbook(reader, settings, sheet_names)
