from datetime import date

import pytest

from tests.factories import with_check_digit
from transforms.idnumbers import (
    check_id,
    gender_from_id,
    normalize_id,
    parse_disability_cert,
)

MALE_ID = with_check_digit("32070619900101123")  # 17th digit 3: male
FEMALE_ID = with_check_digit("32070619851231002")  # 17th digit 2: female
X_ID = next(
    i for i in (with_check_digit(f"32070619700201{n:03d}") for n in range(1000)) if i.endswith("X")
)


def wrong_check(id_number: str) -> str:
    other = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + other


@pytest.mark.parametrize(
    "text, expected",
    [
        (MALE_ID, MALE_ID),
        (" " + MALE_ID[:6] + " " + MALE_ID[6:] + "\n", MALE_ID),
        (X_ID.lower(), X_ID),
        ("".join(chr(ord(c) + 0xFEE0) for c in MALE_ID), MALE_ID),  # full-width digits
    ],
)
def test_normalize_id_forms(text, expected):
    assert normalize_id(text) == expected


@pytest.mark.parametrize("id_number", [MALE_ID, FEMALE_ID, X_ID, X_ID.lower()])
def test_valid_synthetic_ids_pass(id_number):
    assert check_id(id_number) is None


@pytest.mark.parametrize(
    "id_number, reason",
    [
        (MALE_ID[:17], "ID_BAD_LENGTH"),
        (MALE_ID + "1", "ID_BAD_LENGTH"),
        ("320706900101123", "ID_BAD_LENGTH"),  # a 15-digit first-generation number
        ("320706000000000000"[:17] + "A", "ID_BAD_LENGTH"),
        ("32070619X0010112" + "34", "ID_BAD_LENGTH"),
        (wrong_check(MALE_ID), "ID_BAD_CHECKSUM"),
        (wrong_check(X_ID), "ID_BAD_CHECKSUM"),
        (with_check_digit("32070619900230123"), "ID_BAD_BIRTHDATE"),  # 30 February
        (with_check_digit("32070619901301123"), "ID_BAD_BIRTHDATE"),  # month 13
        (with_check_digit("32070618500101123"), "ID_BAD_BIRTHDATE"),  # before 1900
    ],
)
def test_bad_id_reasons_are_distinguished(id_number, reason):
    assert check_id(id_number) == reason


def test_birth_date_after_the_reference_day_is_bad():
    future = with_check_digit("32070620300101123")
    assert check_id(future) is None
    assert check_id(future, on=date(2024, 5, 31)) == "ID_BAD_BIRTHDATE"


def test_id_in_scientific_notation_is_bad_length():
    assert check_id("3.20706E+17") == "ID_BAD_LENGTH"


@pytest.mark.parametrize(
    "id_number, gender",
    [
        (MALE_ID, "男"),
        (FEMALE_ID, "女"),
        (X_ID.lower(), "女" if int(X_ID[16]) % 2 == 0 else "男"),
        ("3207061990", None),
        (None, None),
    ],
)
def test_gender_from_id(id_number, gender):
    assert gender_from_id(id_number) == gender


@pytest.mark.parametrize(
    "cert, id_number, expected",
    [
        (FEMALE_ID + "23", FEMALE_ID, (2, 3, True)),
        (X_ID.lower() + "71", X_ID, (7, 1, True)),
        (" " + FEMALE_ID + "14 ", FEMALE_ID, (1, 4, True)),
        (FEMALE_ID + "23", None, (2, 3, True)),  # holder's ID unknown: shape only
        (MALE_ID + "23", FEMALE_ID, (2, 3, False)),  # someone else's certificate
        (FEMALE_ID + "83", FEMALE_ID, (None, None, False)),  # type 8 does not exist
        (FEMALE_ID + "25", FEMALE_ID, (None, None, False)),  # grade 5 does not exist
        (FEMALE_ID, FEMALE_ID, (None, None, False)),  # ID only, 18 characters
        (FEMALE_ID + "2", FEMALE_ID, (None, None, False)),
        ("残疾人证123", FEMALE_ID, (None, None, False)),
        (None, FEMALE_ID, (None, None, False)),
    ],
)
def test_disability_cert_forms(cert, id_number, expected):
    assert parse_disability_cert(cert, id_number) == expected
