"""Turn a typed frame (Contract 2) into the frame Great Expectations sees.

GX must never hold a name, ID number, certificate number or phone: its validation
results and Data Docs are files on disk that nobody treats as personal data. So the
rules that need those values are evaluated here, with python-stdnum, into
non-personal outcome columns (`id_check = 'ID_BAD_CHECKSUM'`, `id_gender = '女'`,
`id_repeat = True`, ...), and the suites check those columns. Everything else (dates,
counts, codes, credit codes of businesses) is handed to GX as it is.

Every frame gets `_row_key`, the row's position in the typed frame, which is how the
runner maps GX's unexpected rows back to `return_id` and `row_number`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

import polars as pl
from stdnum.cn import ric

ROW_KEY: Final = "_row_key"

# Outcomes of `id_outcome` that are not a reason code.
ID_OK: Final = "ok"
ID_ABSENT: Final = "absent"  # nothing written: REQUIRED_MISSING
ID_UNREADABLE: Final = "unreadable"  # written but the parser could not read it; it has said why

_PHONE = re.compile(r"^(1[3-9]\d{9}|0518-?\d{7,8})$")
_CERT = re.compile(r"^(\d{17}[\dX])([1-7])([1-4])$")


def _normalise(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def id_outcome(id_number: str | None, id_raw: str | None = None) -> str:
    """One outcome per ID: 'ok', 'absent', 'unreadable' or an ID_* reason code.

    The check digit is tested before the birth date: a typo anywhere makes the check
    digit wrong, and "check the number against the card" is the useful advice then.
    """
    if id_number is None or not id_number.strip():
        return ID_UNREADABLE if id_raw is not None and id_raw.strip() else ID_ABSENT
    number = _normalise(id_number)
    if len(number) != 18:
        return "ID_BAD_LENGTH"
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        return "ID_BAD_CHECKSUM"
    if ric.calc_check_digit(number) != number[17]:
        return "ID_BAD_CHECKSUM"
    try:
        born = ric.get_birth_date(number)
    except Exception:  # stdnum raises InvalidComponent for 19990230 and the like
        return "ID_BAD_BIRTHDATE"
    if born > date.today():
        return "ID_BAD_BIRTHDATE"
    return ID_OK


def gender_from_id(id_number: str | None) -> str | None:
    """'男' when the 17th digit is odd, '女' when even; None when the ID is not usable."""
    if id_outcome(id_number) != ID_OK:
        return None
    assert id_number is not None
    return "男" if int(_normalise(id_number)[16]) % 2 else "女"


def cert_outcome(cert: str | None, id_number: str | None, disabled: bool) -> str | None:
    """'ok', 'missing', 'bad_format', or None when no certificate is needed nor given."""
    if cert is None or not cert.strip():
        return "missing" if disabled else None
    match = _CERT.match(_normalise(cert))
    if match is None:
        return "bad_format"
    if id_number and match.group(1) != _normalise(id_number):
        return "bad_format"
    return "ok"


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
    return pl.when(col.str.strip_chars().str.len_chars() > 0).then(pl.lit("yes")).alias(f"{name}_present")


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


def placements_frame(typed: pl.DataFrame) -> pl.DataFrame:
    outcome = _map(typed, id_outcome, ["id_number", "id_raw"], "id_check", pl.String())
    categories = _column(typed, "categories", pl.List(pl.String()))
    disabled = typed.select(categories.list.contains("02").fill_null(False)).to_series().to_list()
    certs = typed.select(
        _column(typed, "disability_cert", pl.String()), _column(typed, "id_number", pl.String())
    ).rows()
    return typed.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_KEY),
        _present(typed, "name"),
        _column(typed, "gender", pl.String()),
        *_period_bounds(typed),
        pl.when(categories.list.len() > 0).then(categories.list.join(",")).alias("categories_text"),
        _column(typed, "channel", pl.String()),
        _column(typed, "placed_on", pl.Date()),
        _column(typed, "monthly_income", pl.Float64()),
    ).with_columns(
        outcome,
        _map(typed, gender_from_id, ["id_number"], "id_gender", pl.String()),
        _id_repeat(typed, "id_number", outcome),
        pl.Series(
            "cert_check",
            [cert_outcome(c, i, d) for (c, i), d in zip(certs, disabled, strict=True)],
            dtype=pl.String(),
        ),
        _map(typed, phone_ok, ["phone"], "phone_ok", pl.Boolean()),
    )


def training_frame(typed: pl.DataFrame) -> pl.DataFrame:
    return typed.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_KEY),
        *[_column(typed, c, pl.String()) for c in ("project", "training_type")],
        *[_column(typed, c, pl.Int64()) for c in ("trainees", "completed", "employed_after")],
    )


def events_frame(typed: pl.DataFrame) -> pl.DataFrame:
    return typed.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_KEY),
        *_period_bounds(typed),
        *[_column(typed, c, pl.String()) for c in ("event_name", "event_type")],
        _column(typed, "held_on", pl.Date()),
        _column(typed, "attendees", pl.Int64()),
    )


def incubated_frame(typed: pl.DataFrame) -> pl.DataFrame:
    # A business's credit code is public (it is printed on the licence), not personal data.
    return typed.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_KEY),
        *[_column(typed, c, pl.String()) for c in ("company", "credit_code")],
        *[_column(typed, c, pl.Int64()) for c in ("jobs", "hardship_jobs")],
    )


def households_frame(typed: pl.DataFrame) -> pl.DataFrame:
    # Contract 2 keeps no raw text of the head's ID: a null there is unreadable or blank
    # alike, and only the parser knows which, so a null is "absent" unless it says more.
    raw = ["head_id_raw"] if "head_id_raw" in typed.columns else []
    return typed.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_KEY),
        _column(typed, "household_id", pl.String()),
        *[_column(typed, c, pl.Int64()) for c in ("members", "labour")],
        *[_column(typed, c, pl.String()) for c in ("status", "cleared_channel")],
        _column(typed, "cleared_on", pl.Date()),
    ).with_columns(
        _map(typed, id_outcome, ["head_id_number", *raw], "head_id_check", pl.String()),
    )


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
