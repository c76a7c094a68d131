"""Keyed pseudonyms and display masks for personal data.

A plain hash of an 18-digit ID number is reversible: there are only ~10^11 plausible
IDs for one district, enumerable in minutes. An HMAC under a secret key is not.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl


def person_key(id_number: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised ID number, hex, first 32 characters (128 bits)."""
    return hmac.new(key, id_number.strip().upper().encode("ascii"), hashlib.sha256).hexdigest()[:32]


# What the fingerprint is an HMAC of. Changing it would make every stored fingerprint
# look like another key's.
FINGERPRINT_LABEL = b"doorstep pseudonym key fingerprint v1"


def key_fingerprint(key: bytes) -> str:
    """HMAC-SHA256 of a fixed label under the key: tells keys apart, gives nothing of the
    key away, and cannot be confused with a person key (a different message)."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def with_person_key(
    frame: pl.DataFrame, key: bytes, column: str = "id_number", name: str = "person_key"
) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(column)
        .map_elements(lambda v: person_key(v, key), return_dtype=pl.String, skip_nulls=True)
        .alias(name)
    )


def mask_id(id_number: str | None) -> str | None:
    """`320706********123X`: region code and the last four characters only."""
    if not id_number:
        return id_number
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """`138****1234`."""
    if not phone:
        return phone
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str | None) -> str | None:
    """`张*`, `欧阳**`: keep the family name's first character only."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)
