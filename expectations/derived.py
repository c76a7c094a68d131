"""Turn a typed frame (Contract 2) into the frame Great Expectations sees.

GX must never hold a name, ID number, certificate number or phone: its validation
results and Data Docs are files on disk that nobody treats as personal data. Which
fields are personal is the field registry's word (`foundation/reference/fields.csv`):
a personal field reaches GX only as a stand-in (`stand_in`), and the rules that need
its value are evaluated here, with the parser's own rules (`transforms.idnumbers`,
python-stdnum), into non-personal outcome columns (`id_check = 'ID_BAD_CHECKSUM'`,
`id_gender = '女'`, `id_repeat = True`, ...). Every other field (dates, counts, codes,
credit codes of businesses) is handed to GX as it is.

Every frame gets `_row_key`, the row's position in the typed frame, which is how the
runner maps GX's unexpected rows back to `return_id` and `row_number`.
"""

from __future__ import annotations

import re
from typing import Final

import polars as pl

from foundation.fields import FieldSpec, field, fields
from transforms.idnumbers import check_id, normalize_id, parse_disability_cert
from transforms.idnumbers import gender_from_id as _gender_from_id

ROW_KEY: Final = "_row_key"

# Outcomes of `id_outcome` that are not a reason code.
ID_OK: Final = "ok"
ID_ABSENT: Final = "absent"  # nothing written: REQUIRED_MISSING
ID_UNREADABLE: Final = "unreadable"  # written but the parser could not read it; it has said why

_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0518-?[0-9]{7,8})$")


def _normalise(value: str) -> str:
    return normalize_id(value)


def id_outcome(id_number: str | None, id_raw: str | None = None) -> str:
    """One outcome per ID: 'ok', 'absent', 'unreadable' or an ID_* reason code.

    The rule itself is `transforms.idnumbers.check_id` (stdnum), shared with the parser.
    """
    if id_number is None or not id_number.strip():
        return ID_UNREADABLE if id_raw is not None and id_raw.strip() else ID_ABSENT
    return check_id(id_number) or ID_OK


def gender_from_id(id_number: str | None) -> str | None:
    """'男'/'女' from the 17th digit of a valid ID; None when the ID is not valid."""
    if id_outcome(id_number) != ID_OK:
        return None
    return _gender_from_id(id_number)


def cert_outcome(cert: str | None, id_number: str | None, disabled: bool) -> str | None:
    """'ok', 'missing', 'bad_format', or None when no certificate is needed nor given."""
    if cert is None or not cert.strip():
        return "missing" if disabled else None
    _, _, ok = parse_disability_cert(cert, id_number)
    return "ok" if ok else "bad_format"


def phone_ok(phone: str | None) -> bool | None:
    if phone is None or not phone.strip():
        return None
    return _PHONE.match(_normalise(phone)) is not None


def _period_bounds(frame: pl.DataFrame) -> list[pl.Expr]:
    start = pl.col("period").str.strptime(pl.Date, "%Y-%m", strict=False)
    return [start.alias("period_start"), start.dt.month_end().alias("period_end")]


def _column(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    """The column, or an all-null one: a sheet may arrive without optional columns."""
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)


def _present(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A personal text column reduced to whether something was written."""
    col = _column(frame, name, pl.String())
    return (
        pl.when(col.str.strip_chars().str.len_chars() > 0)
        .then(pl.lit("yes"))
        .alias(f"{name}_present")
    )


def _map(frame: pl.DataFrame, fn, columns: list[str], name: str, dtype: pl.DataType) -> pl.Series:
    rows = frame.select([_column(frame, c, pl.String()) for c in columns]).rows()
    return pl.Series(name, [fn(*row) for row in rows], dtype=dtype)


def _id_repeat(frame: pl.DataFrame, id_column: str, outcome: pl.Series) -> pl.Series:
    """True on every occurrence of an ID after the first within one return.

    The first occurrence loads; the later ones are quarantined, so the person is
    counted once and the clerk deletes exactly the rows we point at.
    """
    keyed = frame.select(
        pl.col("return_id"),
        _column(frame, id_column, pl.String()).map_elements(_normalise, return_dtype=pl.String),
    ).with_columns(outcome.alias("outcome"))
    repeat = (
        pl.when(pl.col("outcome") == ID_OK)
        .then(pl.int_range(pl.len()).over("return_id", id_column) > 0)
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )
    return keyed.select(repeat.alias("id_repeat")).to_series()


def stand_in(spec: FieldSpec) -> str:
    """The GX column that stands for a field of the registry.

    A non-personal field is handed over as it is (a list as `<name>_text`, its items
    joined by commas); a personal one only as an outcome: an ID number as its check
    (`id_check`), anything else as whether something was written (`name_present`).
    """
    if spec.personal:
        if spec.parse == "id":
            return spec.name.removesuffix("_number") + "_check"
        return f"{spec.name}_present"
    if spec.type == "varchar[]":
        return f"{spec.name}_text"
    return spec.name


def _stand_in_expr(typed: pl.DataFrame, spec: FieldSpec) -> pl.Expr | pl.Series:
    name = stand_in(spec)
    if spec.personal and spec.parse == "id":
        raw = spec.name.removesuffix("_number") + "_raw"
        columns = [spec.name, *([raw] if raw in typed.columns else [])]
        return _map(typed, id_outcome, columns, name, pl.String())
    if spec.personal:
        return _present(typed, spec.name)
    column = _column(typed, spec.name, spec.polars_type)
    if spec.type == "varchar[]":
        return pl.when(column.list.len() > 0).then(column.list.join(",")).alias(name)
    return column


def _registry_frame(sheet: str, typed: pl.DataFrame) -> pl.DataFrame:
    """Row key, the reporting month's bounds and a stand-in for every typed field.

    Fields the parser derives are the typed frame's business (the ID as written is
    the ID's); only those the station wrote are handed to GX.
    """
    specs = [s for s in fields(sheet) if s.source == "return" and s.type]
    exprs = [_stand_in_expr(typed, s) for s in specs]
    frame = typed.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_KEY),
        *_period_bounds(typed),
        *[e for e in exprs if isinstance(e, pl.Expr)],
    )
    return frame.with_columns([e for e in exprs if isinstance(e, pl.Series)])


def placements_frame(typed: pl.DataFrame) -> pl.DataFrame:
    frame = _registry_frame("placements", typed)
    outcome = frame.get_column(stand_in(field("placements", "id_number")))
    categories = _column(typed, "categories", pl.List(pl.String()))
    disabled = typed.select(categories.list.contains("02").fill_null(False)).to_series().to_list()
    certs = typed.select(
        _column(typed, "disability_cert", pl.String()), _column(typed, "id_number", pl.String())
    ).rows()
    # The parser sets cert_ok false where Excel stored the certificate as a number and
    # lost its type and grade digits, which can still look like 20 digits here.
    parser_says_bad = (
        (~typed["cert_ok"]).fill_null(False).to_list()
        if "cert_ok" in typed.columns
        else [False] * typed.height
    )
    return frame.with_columns(
        _map(typed, gender_from_id, ["id_number"], "id_gender", pl.String()),
        _id_repeat(typed, "id_number", outcome),
        pl.Series(
            "cert_check",
            [
                "bad_format" if bad and cert else cert_outcome(cert, id_number, d)
                for (cert, id_number), d, bad in zip(certs, disabled, parser_says_bad, strict=True)
            ],
            dtype=pl.String(),
        ),
        _map(typed, phone_ok, ["phone"], "phone_ok", pl.Boolean()),
    )


def training_frame(typed: pl.DataFrame) -> pl.DataFrame:
    return _registry_frame("training", typed)


def events_frame(typed: pl.DataFrame) -> pl.DataFrame:
    return _registry_frame("events", typed)


def incubated_frame(typed: pl.DataFrame) -> pl.DataFrame:
    # A business's credit code is public (it is printed on the licence), not personal data.
    return _registry_frame("incubated", typed)


def households_frame(typed: pl.DataFrame) -> pl.DataFrame:
    # Contract 2 keeps no raw text of the head's ID: a null there is unreadable or blank
    # alike, and only the parser knows which, so a null is "absent" unless it says more.
    return _registry_frame("households", typed)


FRAMES = {
    "placements": placements_frame,
    "training": training_frame,
    "events": events_frame,
    "incubated": incubated_frame,
    "households": households_frame,
}


def gx_frame(sheet: str, typed: pl.DataFrame) -> pl.DataFrame:
    """The non-personal frame the suite of `sheet` runs on, one row per typed row."""
    return FRAMES[sheet](typed)
