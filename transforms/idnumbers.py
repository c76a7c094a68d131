"""Resident ID numbers (GB 11643) and disability certificate numbers.

Small pure functions, shared by the sheet parser and the GX custom expectations.
Nothing here logs or echoes a number.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from stdnum.cn import ric

from transforms.values import FEMALE, MALE

ID_BAD_LENGTH = "ID_BAD_LENGTH"
ID_BAD_CHECKSUM = "ID_BAD_CHECKSUM"
ID_BAD_BIRTHDATE = "ID_BAD_BIRTHDATE"
CERT_BAD_FORMAT = "CERT_BAD_FORMAT"

ID_LENGTH = 18
CERT_LENGTH = 20
# People born before this are not plausible clients of a job service; a year like 1024
# is a typing error, not a birth date.
MIN_BIRTH_YEAR = 1900

# ASCII digits only: `\d` would also admit full-width and other Unicode digits, here and
# in the Rust regexes Polars runs with the same pattern.
ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_SPACES = re.compile(r"\s+")
_CERT_SUFFIX = re.compile(r"^([1-7])([1-4])$")


def normalize_id(text: str) -> str:
    """Full-width digits → ASCII, all whitespace removed, lowercase `x` → `X`."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).upper()


def _birth_date(id_number: str) -> date | None:
    try:
        born = ric.get_birth_date(id_number)
    except ValueError:  # stdnum's InvalidComponent is a ValueError: no such calendar day
        return None
    return born if born.year >= MIN_BIRTH_YEAR else None


def check_id(id_number: str, on: date | None = None) -> str | None:
    """The reason an ID number is not a valid GB 11643 number, or None when it is.

    Checked in order: 18 characters of the right shape (ID_BAD_LENGTH), check character
    (ID_BAD_CHECKSUM), then a real birth date — not after `on` when given
    (ID_BAD_BIRTHDATE). A wrong check character usually means a typo anywhere in the
    number, so it is reported before the birth date. The region code is not checked:
    stdnum's table lags behind new county codes and a station cannot fix that.
    """
    number = normalize_id(id_number)
    # Letters in the middle or an X anywhere but last: still "not an 18-digit number".
    if len(number) != ID_LENGTH or not ID_SHAPE.match(number):
        return ID_BAD_LENGTH
    if number[-1] != ric.calc_check_digit(number):
        return ID_BAD_CHECKSUM
    born = _birth_date(number)
    if born is None or (on is not None and born > on):
        return ID_BAD_BIRTHDATE
    return None


def _well_shaped(id_number: str | None) -> str | None:
    if not id_number:
        return None
    number = normalize_id(id_number)
    return number if ID_SHAPE.match(number) else None


def gender_from_id(id_number: str | None) -> str | None:
    """`男` when the 17th digit is odd, `女` when even; None when the number is malformed."""
    number = _well_shaped(id_number)
    if number is None:
        return None
    return MALE if int(number[16]) % 2 == 1 else FEMALE


def parse_disability_cert(
    cert: str | None, id_number: str | None
) -> tuple[int | None, int | None, bool]:
    """`(disability_type, disability_grade, ok)` from a 20-character certificate number.

    The certificate number is the holder's ID number + type (1–7) + grade (1–4). `ok` is
    False when the certificate is not of that shape or does not begin with the holder's
    ID number (CERT_BAD_FORMAT, a warning: the row is kept); type and grade are still
    returned when the last two characters are readable. When the holder's ID is unknown
    (e.g. typed as a number) only the shape is checked.
    """
    if not cert:
        return None, None, False
    number = normalize_id(cert)
    if len(number) != CERT_LENGTH:
        return None, None, False
    suffix = _CERT_SUFFIX.match(number[ID_LENGTH:])
    if suffix is None:
        return None, None, False
    kind, grade = int(suffix.group(1)), int(suffix.group(2))
    ok = bool(ID_SHAPE.match(number[:ID_LENGTH]))
    if ok and id_number:
        ok = number[:ID_LENGTH] == normalize_id(id_number)
    return kind, grade, ok
