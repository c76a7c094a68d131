"""Which failures the nightly steps try again: transient I/O only."""

from __future__ import annotations

import duckdb
import pytest

from flows.retry import is_transient


@pytest.mark.parametrize(
    "exc",
    [
        FileNotFoundError("XH_2024-05.xlsx"),  # renamed away while still being copied in
        PermissionError("XH_2024-05.xlsx"),  # held open by the program writing it
        BlockingIOError(),
        duckdb.IOException('Could not set lock on file "doorstep_private.duckdb"'),
    ],
)
def test_input_output_that_may_clear_is_retried(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("cannot read period"),
        KeyError("F01"),
        AssertionError("rows loaded + quarantined + held back differ from rows received"),
        RuntimeError("placements: expect_column_values_to_match_regex could not run"),
        NotADirectoryError("inbox is a file"),
        duckdb.CatalogException("Table with name returns does not exist"),
    ],
)
def test_a_wrong_rule_setting_or_program_is_not(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_an_io_error_behind_another_is_found() -> None:
    try:
        try:
            raise PermissionError("locked")
        except PermissionError as inner:
            raise RuntimeError("reading XH_2024-05.xlsx failed") from inner
    except RuntimeError as outer:
        assert is_transient(outer)
