"""The rules of returns.md §2, one GX suite per sheet, written as tables.

Each rule is (expectation, arguments, reason code, field, detail). The field names
the template column the clerk must fix: its canonical Chinese header (the first alias
in the field registry) goes into `meta.column`, the reason code into `meta.reason_code`.

The suites run on the frames built by `expectations.derived` (no personal values):
`name_present`, `id_check`, `id_gender`, `id_repeat`, `cert_check`, `phone_ok`,
`head_id_check`, `categories_text`, `period_start`/`period_end` are computed there.
Code lists come from the reference data, so a new channel code needs no code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.custom import ExpectColumnValuesToBeValidCnUscc
from expectations.derived import ID_ABSENT, stand_in
from foundation.fields import field
from foundation.reference import Reference, detail, labels

NOT_NULL = gxe.ExpectColumnValuesToNotBeNull
IN_SET = gxe.ExpectColumnValuesToBeInSet
NOT_IN_SET = gxe.ExpectColumnValuesToNotBeInSet
BETWEEN = gxe.ExpectColumnValuesToBeBetween
MATCH = gxe.ExpectColumnValuesToMatchRegex
A_GE_B = gxe.ExpectColumnPairValuesAToBeGreaterThanB
EQUAL = gxe.ExpectColumnPairValuesToBeEqual
USCC = ExpectColumnValuesToBeValidCnUscc

# Rows where one side of a pair is blank are the not-null rules' business, not the pair's.
PAIR = {"ignore_row_if": "either_value_is_missing"}


@dataclass(frozen=True)
class Rule:
    expectation: type[gxe.Expectation]
    kwargs: dict[str, Any]
    reason_code: str
    field: str  # canonical field name; its Chinese header goes into meta.column
    detail: str = ""


def _required(sheet: str, ref: Reference) -> list[Rule]:
    """REQUIRED_MISSING for every required field of the sheet (the field registry), checked
    on the column that stands for it in the GX frame."""
    rules = []
    for name in ref.required.get(sheet, []):
        column = stand_in(field(sheet, name))
        if column.endswith("_check"):
            rules.append(
                Rule(
                    NOT_IN_SET,
                    {"column": column, "value_set": [ID_ABSENT]},
                    "REQUIRED_MISSING",
                    name,
                )
            )
        else:
            rules.append(Rule(NOT_NULL, {"column": column}, "REQUIRED_MISSING", name))
    return rules


def _id_rules(column: str, field_name: str) -> list[Rule]:
    return [
        Rule(NOT_IN_SET, {"column": column, "value_set": [code]}, code, field_name)
        for code in ("ID_BAD_LENGTH", "ID_BAD_CHECKSUM", "ID_BAD_BIRTHDATE")
    ]


def _counts(*columns: str) -> list[Rule]:
    return [Rule(BETWEEN, {"column": c, "min_value": 0}, "COUNT_INVALID", c) for c in columns]


def placements(ref: Reference) -> list[Rule]:
    codes = "|".join(sorted(ref.categories))
    return [
        *_required("placements", ref),
        *_id_rules("id_check", "id_number"),
        Rule(
            IN_SET,
            {"column": "gender", "value_set": labels(ref.genders)},
            "GENDER_INVALID",
            "gender",
        ),
        Rule(
            EQUAL,
            {"column_A": "gender", "column_B": "id_gender", **PAIR},
            "GENDER_MISMATCH",
            "gender",
        ),
        Rule(
            IN_SET, {"column": "id_repeat", "value_set": [False]}, "PERSON_DUPLICATE", "id_number"
        ),
        Rule(
            MATCH,
            {"column": "categories_text", "regex": rf"^(?:{codes})(?:,(?:{codes}))*$"},
            "CATEGORY_INVALID",
            "categories",
        ),
        Rule(
            NOT_IN_SET,
            {"column": "cert_check", "value_set": ["missing"]},
            "CERT_MISSING",
            "disability_cert",
        ),
        Rule(
            NOT_IN_SET,
            {"column": "cert_check", "value_set": ["bad_format"]},
            "CERT_BAD_FORMAT",
            "disability_cert",
        ),
        Rule(
            IN_SET,
            {"column": "channel", "value_set": sorted(ref.channels)},
            "CHANNEL_INVALID",
            "channel",
        ),
        Rule(
            A_GE_B,
            {"column_A": "placed_on", "column_B": "period_start", "or_equal": True, **PAIR},
            "PLACED_LATE_REPORT",
            "placed_on",
        ),
        Rule(
            A_GE_B,
            {"column_A": "period_end", "column_B": "placed_on", "or_equal": True, **PAIR},
            "PLACED_AFTER_PERIOD",
            "placed_on",
        ),
        Rule(
            BETWEEN,
            {"column": "monthly_income", "min_value": 0, "max_value": 50000, "strict_min": True},
            "INCOME_OUT_OF_RANGE",
            "monthly_income",
        ),
        Rule(IN_SET, {"column": "phone_ok", "value_set": [True]}, "PHONE_INVALID", "phone"),
    ]


def training(ref: Reference) -> list[Rule]:
    labels = sorted(c.label for c in ref.training_types.values())
    return [
        *_required("training", ref),
        Rule(
            IN_SET,
            {"column": "training_type", "value_set": labels},
            "TYPE_INVALID",
            "training_type",
        ),
        *_counts("trainees", "completed", "employed_after"),
        Rule(
            A_GE_B,
            {"column_A": "trainees", "column_B": "completed", "or_equal": True, **PAIR},
            "COUNT_ORDER",
            "completed",
            detail("completed_over_trainees"),
        ),
        Rule(
            A_GE_B,
            {"column_A": "completed", "column_B": "employed_after", "or_equal": True, **PAIR},
            "COUNT_ORDER",
            "employed_after",
            detail("employed_over_completed"),
        ),
    ]


def events(ref: Reference) -> list[Rule]:
    labels = sorted(c.label for c in ref.event_types.values())
    return [
        *_required("events", ref),
        Rule(IN_SET, {"column": "event_type", "value_set": labels}, "TYPE_INVALID", "event_type"),
        *_counts("attendees"),
        Rule(
            A_GE_B,
            {"column_A": "period_end", "column_B": "held_on", "or_equal": True, **PAIR},
            "DATE_AFTER_PERIOD",
            "held_on",
        ),
    ]


def incubated(ref: Reference) -> list[Rule]:
    return [
        *_required("incubated", ref),
        Rule(USCC, {"column": "credit_code"}, "USCC_INVALID", "credit_code"),
        *_counts("jobs", "hardship_jobs"),
        Rule(
            A_GE_B,
            {"column_A": "jobs", "column_B": "hardship_jobs", "or_equal": True, **PAIR},
            "HARDSHIP_JOBS_EXCEED",
            "hardship_jobs",
        ),
    ]


def households(ref: Reference) -> list[Rule]:
    cleared = Column("status") == ref.household_statuses["cleared"].label
    return [
        *_required("households", ref),
        *_id_rules("head_id_check", "head_id_number"),
        Rule(
            IN_SET,
            {"column": "status", "value_set": labels(ref.household_statuses)},
            "HOUSEHOLD_STATUS_INVALID",
            "status",
        ),
        Rule(
            NOT_NULL,
            {"column": "cleared_on", "row_condition": cleared},
            "HOUSEHOLD_CLEARED_NO_DATE",
            "cleared_on",
        ),
        Rule(
            NOT_NULL,
            {"column": "cleared_channel", "row_condition": cleared},
            "HOUSEHOLD_CLEARED_NO_DATE",
            "cleared_channel",
        ),
        Rule(
            IN_SET,
            {"column": "cleared_channel", "value_set": sorted(ref.channels)},
            "CHANNEL_INVALID",
            "cleared_channel",
        ),
        *_counts("members", "labour"),
    ]


RULES = {
    "placements": placements,
    "training": training,
    "events": events,
    "incubated": incubated,
    "households": households,
}


def header(sheet: str, field_name: str, ref: Reference) -> str:
    return ref.headers[sheet][field_name][0]


def rules(sheet: str, ref: Reference) -> list[Rule]:
    return RULES[sheet](ref)


def build_suite(sheet: str, ref: Reference) -> gx.ExpectationSuite:
    """The GX suite `doorstep_<sheet>`; each expectation's meta says what to tell the clerk."""
    expectations = [
        rule.expectation(
            **rule.kwargs,
            meta={
                "reason_code": rule.reason_code,
                "column": header(sheet, rule.field, ref),
                "field": rule.field,
                "detail": rule.detail,
            },
        )
        for rule in rules(sheet, ref)
    ]
    return gx.ExpectationSuite(name=f"doorstep_{sheet}", expectations=expectations)
