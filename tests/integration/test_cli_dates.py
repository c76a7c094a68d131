"""Dates on the command line as operators type them."""

from datetime import datetime

import pytest
import typer
from typer.testing import CliRunner

from doorstep.cli import _parse_known_at, app


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-10", datetime(2024, 6, 10, 23, 59, 59)),  # a bare date: the whole day
        ("2024-06-03 09:00", datetime(2024, 6, 3, 9, 0)),  # as the bulletin prints 数据截至
        ("2024-06-03 00:00", datetime(2024, 6, 3, 0, 0)),  # midnight stays midnight
        ("2024-06-03T09:00", datetime(2024, 6, 3, 9, 0)),
        ("2024-06-03T09:00:30", datetime(2024, 6, 3, 9, 0, 30)),
    ],
)
def test_known_at_forms(text, expected):
    assert _parse_known_at(text) == expected


def test_known_at_that_is_not_a_time_is_refused():
    with pytest.raises(typer.BadParameter):
        _parse_known_at("6月3日")


def test_future_as_of_is_refused_before_anything_runs(tmp_path):
    result = CliRunner().invoke(app, ["bulletin", "--as-of", "2999-06-30", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "in the future" in result.output
    assert list(tmp_path.iterdir()) == []
