"""Parsing of single cell values (pure functions; the per-sheet parsers build on these).

Every `parse_*` value parser returns `(value, reason_code)`:

- `(value, None)` — the text was read;
- `(None, None)` — the cell is blank (whether that is allowed is the caller's business);
- `(None, REASON)` — the text is there but cannot be read; REASON is a code from
  `foundation/reference/reasons.csv`.

They never guess: an approximate amount (`1500多`) is not a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from foundation.reference import Code, value_lists
from transforms.text import normalize_text

T = TypeVar("T")
Parsed = tuple[T | None, str | None]

DATE_INVALID = "DATE_INVALID"
INCOME_INVALID = "INCOME_INVALID"
COUNT_INVALID = "COUNT_INVALID"
GENDER_INVALID = "GENDER_INVALID"
SUBSIDY_INVALID = "SUBSIDY_INVALID"
PHONE_INVALID = "PHONE_INVALID"
HOUSEHOLD_STATUS_INVALID = "HOUSEHOLD_STATUS_INVALID"

# The values the typed frames carry (Contract 2): the labels of reference/value_lists.csv,
# the template's own words.
_GENDERS_LIST = value_lists()["genders"]
MALE, FEMALE = _GENDERS_LIST["male"].label, _GENDERS_LIST["female"].label

# Dates outside this window are typing errors for a programme that began in the 2000s.
MIN_YEAR, MAX_YEAR = 2000, 2100

_PERIOD = re.compile(r"^([0-9]{4})\s*(?:年|[-/.])?\s*([0-9]{1,2})\s*月?(?:份)?$")


def _clean(text: str | None) -> str | None:
    """NFKC (full-width digits and punctuation → ASCII), trimmed; None when blank."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    return cleaned or None


def parse_period(text: str | None) -> str | None:
    """`2024年5月`, `2024-05`, `202405`, `2024.5` → `2024-05`; anything else → None."""
    if text is None:
        return None
    m = _PERIOD.match(normalize_text(str(text)))
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return f"{year:04d}-{month:02d}"


# --- dates -------------------------------------------------------------------

# `2024-05-31`, `2024/5/31`, `2024.5.31`, `2024年5月31日` (or 号), each optionally followed by a
# midnight time of day (a datetime cell rendered as text).
_DATE_SEPARATED = re.compile(
    r"^([0-9]{4})\s*(?:[-/.]|年)\s*([0-9]{1,2})\s*(?:[-/.]|月)\s*([0-9]{1,2})\s*(?:日|号)?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_EXCEL_SERIAL = re.compile(r"^([0-9]{5})(?:\.[0-9]+)?$")
# Excel's 1900 date system counts from 1899-12-30 once past its fictitious 1900-02-29.
_EXCEL_EPOCH = date(1899, 12, 30)


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def excel_serial_to_date(serial: int) -> date | None:
    """A 1900-system Excel serial day number → date, inside the plausible year window only."""
    if serial <= 60:
        return None
    value = _EXCEL_EPOCH + timedelta(days=serial)
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def parse_date(text: str | None) -> Parsed[date]:
    """Read the date forms stations use (spec §4 item 5); anything else → DATE_INVALID."""
    cleaned = _clean(text)
    if cleaned is None:
        return None, None
    value: date | None = None
    if (m := _DATE_SEPARATED.match(cleaned)) or (m := _DATE_COMPACT.match(cleaned)):
        value = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _EXCEL_SERIAL.match(cleaned):
        # The fraction of a serial is the time of day; the day is what counts.
        value = excel_serial_to_date(int(m.group(1)))
    return (value, None) if value is not None else (None, DATE_INVALID)


# --- numbers -----------------------------------------------------------------

# Plain digits, or thousands grouped by commas exactly in threes: `1,5,00` or `1500,50`
# are ambiguous and so are not read.
_NUMBER = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?$")
_CURRENCY_PREFIX = re.compile(r"^(?:¥|RMB|CNY)\s*", re.IGNORECASE)
_YUAN_SUFFIX = re.compile(r"\s*(?:元|块)?\s*(?:/\s*月|每月)?$")
_COUNT_SUFFIX = re.compile(r"\s*(?:人|名|个|户|次|场|期)$")


def _read_number(text: str) -> float | None:
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", ""))


def parse_amount(text: str | None) -> Parsed[float]:
    """`1,500`, `1500元`, `1500.00`, `１５００`, `￥1500` → 1500.0.

    Approximate amounts (`1500多`, `约1500`, `1500左右`) and multiplier words (`1千`,
    `0.15万`) → INCOME_INVALID: the clerk must write the amount. A minus sign is read
    so that the range rule (GX) can name the real problem.
    """
    cleaned = _clean(text)
    if cleaned is None:
        return None, None
    body = _YUAN_SUFFIX.sub("", _CURRENCY_PREFIX.sub("", cleaned))
    negative = body.startswith("-")
    value = _read_number(body[1:] if negative else body)
    if value is None:
        return None, INCOME_INVALID
    return (-value if negative else value), None


def parse_count(text: str | None) -> Parsed[int]:
    """Non-negative whole numbers: `12`, `12人`, `12.0`, `１２`; else COUNT_INVALID."""
    cleaned = _clean(text)
    if cleaned is None:
        return None, None
    value = _read_number(_COUNT_SUFFIX.sub("", cleaned))
    if value is None or not value.is_integer():
        return None, COUNT_INVALID
    return int(value), None


# --- small vocabularies (reference/value_lists.csv) ---------------------------------


def _yes_no_key(text: str) -> str:
    return normalize_text(text).lower()


def _label_key(text: str) -> str:
    return normalize_text(text).replace(" ", "")


def _spellings(codes: dict[str, Code], key: Callable[[str], str]) -> dict[str, Code]:
    """Every spelling of a list's values (label and aliases), as `key` reads a cell → its value."""
    table: dict[str, Code] = {}
    for c in codes.values():
        for name in (c.label, *c.aliases):
            # A spelling of two values would be read as whichever came last: refuse it.
            if table.setdefault(key(name), c) != c:
                raise ValueError(f"value_lists.csv: {name!r} spells two values of one list")
    return table


_YES_NO = _spellings(value_lists()["yes_no"], _yes_no_key)
_GENDERS = _spellings(_GENDERS_LIST, _label_key)
_STATUSES = _spellings(value_lists()["household_statuses"], _label_key)


def parse_yes_no(text: str | None) -> Parsed[bool]:
    """是/否, Y/N, √/×, 有/无 (and Excel booleans rendered as text) → bool; else SUBSIDY_INVALID."""
    cleaned = _clean(text)
    if cleaned is None:
        return None, None
    value = _YES_NO.get(_yes_no_key(cleaned))
    return (value.code == "yes", None) if value else (None, SUBSIDY_INVALID)


def parse_gender(text: str | None) -> Parsed[str]:
    """男/女/男性/女性 → `男`/`女`; else GENDER_INVALID."""
    cleaned = _clean(text)
    if cleaned is None:
        return None, None
    value = _GENDERS.get(_label_key(cleaned))
    return (value.label, None) if value else (None, GENDER_INVALID)


def parse_status(text: str | None) -> Parsed[str]:
    """未清零/已清零 (Simplified or Traditional) → that label; else HOUSEHOLD_STATUS_INVALID."""
    cleaned = _clean(text)
    if cleaned is None:
        return None, None
    value = _STATUSES.get(_label_key(cleaned))
    return (value.label, None) if value else (None, HOUSEHOLD_STATUS_INVALID)


# --- phone numbers ---------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# Lianyungang's area code is 0518; local numbers there have 8 digits beginning with 8.
_LANDLINE = re.compile(r"^0518(8[0-9]{7})$")


def parse_phone(text: str | None) -> Parsed[str]:
    """Mobile `13812341234` or landline `0518-8xxxxxxx` (the normalised forms); else PHONE_INVALID.

    Full-width digits, spaces, dashes, brackets and a `+86` prefix are tolerated.
    """
    cleaned = _clean(text)
    if cleaned is None:
        return None, None
    digits = _PHONE_NOISE.sub("", cleaned)
    # A phone cell Excel stored as a number can arrive as `13812341234.0`.
    digits = re.sub(r"\.0$", "", digits)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits, None
    if m := _LANDLINE.match(digits):
        return f"0518-{m.group(1)}", None
    return None, PHONE_INVALID
