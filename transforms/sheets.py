"""Raw text sheet frames → typed frames and parse issues (Contract 2 of docs/design.md).

Which fields a sheet has, how each is read (`parse`) and stored (`type`) comes from the
field registry (`foundation.fields`). Only failures to *read* a value are issues here.
Rules on readable values (check digits, gender vs ID, dates vs period, ranges,
duplicates) belong to the GX suites; attributes derived from the ID number for the
figures (birth year, age band, disability type) are the core load's, in SQL.

Each field's values are parsed once per distinct text and mapped back onto the rows,
so a sheet of 100,000 placements costs one Python call per distinct cell text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from foundation.fields import KEY_COLUMNS, SHEETS, FieldSpec, parsed_fields, typed_columns
from foundation.issues import ISSUE_SCHEMA, empty_issues
from foundation.reference import Code, Reference, load_reference
from transforms import values
from transforms.codes import lookup_code, split_categories
from transforms.idnumbers import ID_SHAPE, normalize_id, parse_disability_cert

REQUIRED_MISSING = "REQUIRED_MISSING"
ID_TYPED_AS_NUMBER = "ID_TYPED_AS_NUMBER"
CATEGORY_INVALID = "CATEGORY_INVALID"
CHANNEL_INVALID = "CHANNEL_INVALID"
TYPE_INVALID = "TYPE_INVALID"

# What clerks write in a cell to mean "nothing here".
_PLACEHOLDERS = frozenset({"/", "\\", "-", "--", "—", "——", "－", "／", "无", "没有", "N/A", "n/a"})
# ... except where 无 is itself an answer (no subsidy) or free text (a note that says 无).
_PLACEHOLDER_KINDS = frozenset(
    {
        "date",
        "amount",
        "count",
        "gender",
        "phone",
        "status",
        "categories",
        "channel",
        "training_type",
        "event_type",
        "id",
        "cert",
        "credit_code",
    }
)

ParseResult = tuple[Any, str | None, str]  # value, reason code, detail for the clerk


# The parser's field table, from the registry: sheet → the fields it types, in order.
SHEET_FIELDS: dict[str, tuple[FieldSpec, ...]] = {sheet: parsed_fields(sheet) for sheet in SHEETS}


# --- per-value parsers with a clerk-facing detail ----------------------------------

_LONG_DIGITS = re.compile(r"\d{9,}|(?<!\d)(?!19|20)\d{7,8}(?!\d)")


def safe_quote(text: str) -> str:
    """`“1500多”` — the bad text, quoted, only when it cannot be personal data.

    Numeric-looking text is what the clerk needs to see (`1500多`, `2024.13.1`); text
    without digits could be a name typed in the wrong column, and a long digit run
    could be an ID or a phone number, so those are not repeated.
    """
    if len(text) > 20 or not any(c.isdigit() for c in text) or _LONG_DIGITS.search(text):
        return ""
    return f"“{text}”"


def _simple(
    parse: Callable[[str | None], tuple[Any, str | None]], quote: bool
) -> Callable[[str], ParseResult]:
    def run(text: str) -> ParseResult:
        value, reason = parse(text)
        return value, reason, (safe_quote(text) if reason and quote else "")

    return run


def _code_parser(
    codes: Mapping[str, Code], reason: str, as_label: bool
) -> Callable[[str], ParseResult]:
    def run(text: str) -> ParseResult:
        code = lookup_code(text, codes)
        if code is None:
            return None, reason, safe_quote(text)
        return (codes[code].label if as_label else code), None, ""

    return run


def _categories_parser(codes: Mapping[str, Code]) -> Callable[[str], ParseResult]:
    def run(text: str) -> ParseResult:
        found: list[str] = []
        for item in split_categories(text):
            code = lookup_code(item, codes)
            if code is None:
                # Keep nothing rather than a partial list: the clerk must fix the cell.
                return None, CATEGORY_INVALID, safe_quote(item)
            if code not in found:
                found.append(code)
        return (found or None), (None if found else CATEGORY_INVALID), ""

    return run


def _text(text: str) -> ParseResult:
    return text, None, ""


def _compact_code(text: str) -> ParseResult:
    # A credit code is read as written, spaces and case aside; its check character is GX's.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper(), None, ""


def _id(text: str) -> ParseResult:
    return normalize_id(text), None, ""


def _parsers(ref: Reference) -> dict[str, Callable[[str], ParseResult]]:
    return {
        "text": _text,
        "id": _id,
        "cert": _id,
        "credit_code": _compact_code,
        "date": _simple(values.parse_date, quote=True),
        "amount": _simple(values.parse_amount, quote=True),
        "count": _simple(values.parse_count, quote=True),
        "gender": _simple(values.parse_gender, quote=False),
        "yes_no": _simple(values.parse_yes_no, quote=False),
        "phone": _simple(values.parse_phone, quote=False),
        "status": _simple(values.parse_status, quote=False),
        "categories": _categories_parser(ref.categories),
        "channel": _code_parser(ref.channels, CHANNEL_INVALID, as_label=False),
        "training_type": _code_parser(ref.training_types, TYPE_INVALID, as_label=True),
        "event_type": _code_parser(ref.event_types, TYPE_INVALID, as_label=True),
    }


# --- frame plumbing ------------------------------------------------------------------


def _lookup(text: pl.Series, distinct: pl.Series, columns: dict[str, pl.Series]) -> pl.DataFrame:
    """`columns` (one value per distinct text) mapped back onto every row of `text`.

    A left join rather than `replace_strict`, which cannot take list-typed values.
    """
    table = pl.DataFrame({"_key": distinct, **columns})
    rows = text.rename("_key").to_frame()
    return rows.join(table, on="_key", how="left", maintain_order="left").drop("_key")


def _map_unique(column: pl.Series, fn: Callable[[str], Any], dtype: pl.DataType) -> pl.Series:
    """`fn` applied once per distinct non-null value, mapped back onto every row."""
    distinct = column.drop_nulls().unique()
    results = pl.Series([fn(v) for v in distinct.to_list()], dtype=dtype)
    return _lookup(column, distinct, {"value": results}).to_series()


# Text already in its normal form, kept as is without a Python call: on a big sheet most
# IDs and phones are distinct, so this is where the time would go.
_ALREADY_NORMAL = {
    "id": ID_SHAPE.pattern,
    "cert": r"^[0-9]{17}[0-9X][0-9]{2}$",
    "phone": r"^1[3-9][0-9]{9}$",
}


def _parse_field(
    text: pl.Series, kind: str, parse: Callable[[str], ParseResult], dtype: pl.DataType
) -> tuple[pl.Series, pl.Series | None, pl.Series | None]:
    """`(value, reason, detail)` columns; reason and detail are None when every cell was read."""
    fast = None
    original = text
    if kind in _ALREADY_NORMAL and text.len():
        fast = text.str.contains(_ALREADY_NORMAL[kind]).fill_null(False)
        text = text.set(fast, None)
    distinct = text.drop_nulls().unique()
    results = [parse(v) for v in distinct.to_list()]
    columns = {"value": pl.Series([r[0] for r in results], dtype=dtype)}
    failed = any(r[1] is not None for r in results)
    if failed:
        columns["reason"] = pl.Series([r[1] for r in results], dtype=pl.String)
        columns["detail"] = pl.Series([r[2] for r in results], dtype=pl.String)
    mapped = _lookup(text, distinct, columns)
    value = mapped.get_column("value")
    if fast is not None:
        value = pl.select(pl.when(fast).then(original).otherwise(value)).to_series()
    if not failed:
        return value, None, None
    return value, mapped.get_column("reason"), mapped.get_column("detail")


def _cleaned(raw: pl.DataFrame, name: str, kind: str) -> pl.Series:
    """The raw text trimmed, blank (and, for typed fields, placeholder) cells as null."""
    if name not in raw.columns:
        return pl.Series(name, [None] * raw.height, dtype=pl.String)
    column = raw.get_column(name).cast(pl.String).str.strip_chars()
    blank = column.str.len_chars() == 0
    if kind in _PLACEHOLDER_KINDS:
        blank = blank | column.is_in(list(_PLACEHOLDERS))
    return column.set(blank.fill_null(False), None) if raw.height else column


def _flag(raw: pl.DataFrame, name: str) -> pl.Series:
    if name not in raw.columns:
        return pl.Series(name, [False] * raw.height, dtype=pl.Boolean)
    return raw.get_column(name).cast(pl.Boolean).fill_null(False)


def _issue_rows(
    keys: pl.DataFrame,
    sheet: str,
    column_name: str,
    mask: pl.Series,
    reason: pl.Series | str,
    detail: pl.Series | str = "",
) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "return_id": keys.get_column("return_id"),
            "sheet": pl.repeat(sheet, keys.height, eager=True, dtype=pl.String),
            "row_number": keys.get_column("row_number"),
            "column_name": pl.repeat(column_name, keys.height, eager=True, dtype=pl.String),
            "reason_code": reason
            if isinstance(reason, pl.Series)
            else pl.repeat(reason, keys.height, eager=True, dtype=pl.String),
            "detail": detail
            if isinstance(detail, pl.Series)
            else pl.repeat(detail, keys.height, eager=True, dtype=pl.String),
        },
        schema=ISSUE_SCHEMA,
    )
    return frame.filter(mask.fill_null(False))


def _cert_parts(cert: pl.Series, ids: pl.Series) -> pl.Series:
    """Whether `parse_disability_cert` finds the certificate sound, per distinct
    (certificate, ID) pair; null where no certificate."""
    pair = (
        pl.DataFrame({"c": cert, "i": ids})
        .select(
            pl.when(pl.col("c").is_not_null()).then(
                pl.col("c") + "\x00" + pl.col("i").fill_null("")
            )
        )
        .to_series()
    )

    def parse(key: str) -> bool:
        cert_text, id_text = key.split("\x00")
        return parse_disability_cert(cert_text, id_text or None)[2]

    return _map_unique(pair, parse, pl.Boolean())


def _cert_ok(typed: pl.DataFrame, cert_lost: pl.Series) -> pl.DataFrame:
    """`cert_ok` for GX (CERT_BAD_FORMAT), judged while the ID is at hand.

    A certificate Excel stored as a number has lost its last digits — the type and
    grade — so it is kept as written with `cert_ok` false rather than dropped, which
    would misreport it as missing. Not a field: GX reads it, the load leaves it.
    """
    cert = _cert_parts(typed.get_column("disability_cert"), typed.get_column("id_number"))
    return typed.with_columns(cert_ok=pl.when(cert_lost).then(False).otherwise(cert))


def parse_sheet(
    sheet: str,
    raw: pl.DataFrame,
    period: str | Reference | None = None,
    ref: Reference | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Type one raw sheet frame (Contract 2): `(typed, issues)`.

    `raw` carries `return_id`, `station_code`, `period`, `row_number` and the sheet's
    canonical columns as text (plus optional `*_was_number` flags). Every raw row stays
    in `typed`, with null where a value could not be read; `issues` lists why.
    `period` ('YYYY-MM') fills a missing `period` column. `parse_sheet(sheet, raw, ref)`
    is accepted too. The typed columns, in order, are the registry's
    (`foundation.fields.typed_columns`), plus `cert_ok` on placements for GX.
    """
    if isinstance(period, Reference):
        period, ref = None, period
    ref = ref or load_reference()
    if sheet not in SHEET_FIELDS:
        raise ValueError(f"no typed form for sheet {sheet!r}; known: {sorted(SHEET_FIELDS)}")
    keys = raw.select(
        [
            (pl.col(c) if c in raw.columns else pl.lit(period if c == "period" else None))
            .cast(pl.Int64 if c == "row_number" else pl.String)
            .alias(c)
            for c in KEY_COLUMNS
        ]
    )
    parsers = _parsers(ref)
    columns: dict[str, pl.Series] = {}
    issues: list[pl.DataFrame] = []

    for field in SHEET_FIELDS[sheet]:
        header = field.template_header
        text = _cleaned(raw, field.name, field.parse)
        if field.parse == "id":
            lost = _flag(raw, f"{field.name}_was_number") & text.is_not_null()
            # Excel has already rounded a number-typed ID; its last digits cannot be recovered.
            text = text.set(lost, None) if raw.height else text
            issues.append(_issue_rows(keys, sheet, header, lost, ID_TYPED_AS_NUMBER))
        if field.parse == "text":
            value, reason, detail = text, None, None
            # Kept as text; the warning makes the feedback write it back inert (returns.md §4.14).
            formula = text.str.contains(r"^[=+\-@].")
            issues.append(_issue_rows(keys, sheet, header, formula, "FORMULA_TEXT"))
        else:
            value, reason, detail = _parse_field(
                text, field.parse, parsers[field.parse], field.polars_type
            )
        columns[field.name] = value.alias(field.name)
        if field.name == "id_number":
            # The ID exactly as written, for the private raw/staging layers and feedback.
            columns["id_raw"] = (
                raw.get_column(field.name).cast(pl.String) if field.name in raw.columns else text
            )
        if reason is not None and detail is not None:
            issues.append(_issue_rows(keys, sheet, header, reason.is_not_null(), reason, detail))
        if field.required:
            missing = text.is_null()
            if field.parse == "id":
                missing = missing & ~_flag(raw, f"{field.name}_was_number")
            issues.append(_issue_rows(keys, sheet, header, missing, REQUIRED_MISSING))

    typed = pl.concat([keys, pl.DataFrame(columns)], how="horizontal") if columns else keys
    if sheet == "placements":
        typed = typed.with_columns(primary_category=pl.col("categories").list.first())
        cert_lost = (
            _flag(raw, "disability_cert_was_number") & columns["disability_cert"].is_not_null()
        )
        typed = _cert_ok(typed, cert_lost)
    ordered = [c for c in typed_columns(sheet) if c in typed.columns]
    typed = typed.select(ordered + [c for c in typed.columns if c not in ordered])
    all_issues = pl.concat(issues, how="vertical") if issues else empty_issues()
    return typed, all_issues.sort("row_number", maintain_order=True)
