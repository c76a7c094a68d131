"""The field registry (`reference/fields.csv`): the one place a column of a return is described.

One row per field of a sheet: its canonical name, where it comes from, how the parser
reads it, its stored type, whether it is required or personal, how the template shows it
(cell format, width, dropdown) and the header aliases stations write it under (the first
is the template's header), with the data dictionary's words. The parser's field tables,
the header aliases, the required columns, the staging columns, the GX stand-ins and the
template are all derived from it; a test checks the staging DDL against it.

`source` says where a value comes from:
- `return`: a column the station fills in; typed by the parser and staged.
- `template`: a column of the template that is read but not kept (the clerk's 序号).
- `derived`: added by the parser to the typed frame (e.g. the ID as written); staged.
- `load`: added by the load (pseudonyms); in the staging table, not in the typed frame.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import polars as pl

FIELDS_FILE = Path(str(files("foundation") / "reference" / "fields.csv"))

COVER = "cover"
SOURCES = ("return", "template", "derived", "load")

# Every typed row of a data sheet starts with these: which return, which row.
KEY_COLUMNS: dict[str, str] = {
    "return_id": "varchar",
    "station_code": "varchar",
    "period": "varchar",
    "row_number": "integer",
}
# Unknown columns a station added, header → text as JSON: kept, never used.
EXTRA_COLUMN = "extra"

# Stored type (as the DDL spells it) → the polars type of the typed frame. Counts are
# Int64 in frames and INTEGER in DuckDB: the insert narrows them.
POLARS_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.String(),
    "integer": pl.Int64(),
    "double": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "varchar[]": pl.List(pl.String()),
}


@dataclass(frozen=True)
class FieldSpec:
    sheet: str
    name: str
    source: str
    parse: str  # the parser's kind (transforms.sheets); empty when the parser does not read it
    type: str  # stored type, a key of POLARS_TYPES; empty when not stored
    required: bool
    personal: bool
    cell: str  # `text`: the template formats the column as text (Excel would round it)
    width: int | None
    choices: str  # dropdown: `@<code list>` (a reference CSV) or labels split by `|`
    headers: tuple[str, ...]  # the template header first, then the aliases
    comment_zh: str
    comment_en: str

    @property
    def comment(self) -> str:
        """The data dictionary's description: Chinese / English."""
        return f"{self.comment_zh} / {self.comment_en}"

    @property
    def template_header(self) -> str:
        return self.headers[0] if self.headers else self.name

    @property
    def polars_type(self) -> pl.DataType:
        return POLARS_TYPES[self.type]


def _flag(text: str) -> bool:
    return text.strip().lower() in {"y", "yes", "true", "1"}


def _row(row: dict[str, str], line: int) -> FieldSpec:
    where = f"{FIELDS_FILE.name} line {line}"
    spec = FieldSpec(
        sheet=row["sheet"].strip(),
        name=row["name"].strip(),
        source=row["source"].strip(),
        parse=row["parse"].strip(),
        type=row["type"].strip(),
        required=_flag(row["required"]),
        personal=_flag(row["personal"]),
        cell=row["cell"].strip(),
        width=int(row["width"]) if row["width"].strip() else None,
        choices=row["choices"].strip(),
        headers=tuple(h for h in row["headers"].split("|") if h),
        comment_zh=row["comment_zh"].strip(),
        comment_en=row["comment_en"].strip(),
    )
    if spec.source not in SOURCES:
        raise ValueError(f"{where}: source {spec.source!r} is not one of {SOURCES}")
    if spec.type and spec.type not in POLARS_TYPES:
        raise ValueError(f"{where}: type {spec.type!r} is not one of {sorted(POLARS_TYPES)}")
    if spec.source in ("return", "template") and not spec.headers:
        raise ValueError(f"{where}: a column the station fills in needs a header")
    if spec.source in ("derived", "load") and (spec.headers or spec.parse or not spec.type):
        raise ValueError(f"{where}: a {spec.source} column has a type, no header, no parse kind")
    if spec.sheet != COVER and spec.source == "return" and not (spec.parse and spec.type):
        raise ValueError(f"{where}: a data sheet's column needs a parse kind and a type")
    return spec


@cache
def registry() -> tuple[FieldSpec, ...]:
    """Every row of the registry, in file order (the template's column order)."""
    with FIELDS_FILE.open(encoding="utf-8", newline="") as fh:
        specs = tuple(_row(row, i) for i, row in enumerate(csv.DictReader(fh), start=2))
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        if (spec.sheet, spec.name) in seen:
            raise ValueError(f"{FIELDS_FILE.name}: {spec.sheet}.{spec.name} is listed twice")
        seen.add((spec.sheet, spec.name))
    return specs


def data_sheets() -> tuple[str, ...]:
    """The sheets of rows (all but the cover), in registry order."""
    return tuple(dict.fromkeys(s.sheet for s in registry() if s.sheet != COVER))


SHEETS: tuple[str, ...] = data_sheets()


def fields(sheet: str) -> tuple[FieldSpec, ...]:
    return tuple(s for s in registry() if s.sheet == sheet)


def field(sheet: str, name: str) -> FieldSpec:
    for spec in fields(sheet):
        if spec.name == name:
            return spec
    raise KeyError(f"{sheet}.{name} is not in {FIELDS_FILE.name}")


def template_fields(sheet: str) -> tuple[FieldSpec, ...]:
    """The columns the station sees and fills in, in template order."""
    return tuple(s for s in fields(sheet) if s.headers)


def parsed_fields(sheet: str) -> tuple[FieldSpec, ...]:
    """The columns the parser types (Contract 2), in order."""
    return tuple(s for s in fields(sheet) if s.parse)


def header_aliases() -> dict[str, dict[str, list[str]]]:
    """sheet → field → its headers, the template's first."""
    out: dict[str, dict[str, list[str]]] = {}
    for spec in registry():
        if spec.headers:
            out.setdefault(spec.sheet, {})[spec.name] = list(spec.headers)
    return out


def required_fields() -> dict[str, list[str]]:
    """sheet → the columns a sheet must have (a sheet missing one is rejected whole)."""
    out: dict[str, list[str]] = {}
    for spec in registry():
        if spec.required:
            out.setdefault(spec.sheet, []).append(spec.name)
    return out


def typed_columns(sheet: str) -> dict[str, pl.DataType]:
    """The typed frame's columns as the load takes them: keys, fields, `extra`."""
    columns = {name: POLARS_TYPES[t] for name, t in KEY_COLUMNS.items()}
    for spec in fields(sheet):
        if spec.type and spec.source in ("return", "derived"):
            columns[spec.name] = spec.polars_type
    columns[EXTRA_COLUMN] = POLARS_TYPES["varchar"]
    return columns


def staging_table_columns(sheet: str) -> dict[str, str]:
    """Every column of `staging.<sheet>` and its stored type, as the DDL must have them."""
    columns = dict(KEY_COLUMNS)
    for spec in fields(sheet):
        if spec.type and spec.source != "template":
            columns[spec.name] = spec.type
    columns[EXTRA_COLUMN] = "varchar"
    return columns


def personal_fields(sheet: str) -> frozenset[str]:
    return frozenset(s.name for s in fields(sheet) if s.personal)
