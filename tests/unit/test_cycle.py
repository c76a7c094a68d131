"""The monthly cycle's calendar and labels: deadlines, the month a night owes, issue labels,
and the delivery step's refusals."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from doorstep.steps.bulletin import issue_number
from doorstep.steps.common import month_end
from doorstep.steps.publish import ceil_minute, due_period, months, revised_issue
from doorstep.steps.receive import DeliveryError, read_deliveries, receive
from tests.factories import settings_at
from warehouse.calendar import deadline


def test_a_month_falls_due_at_the_end_of_the_on_time_day() -> None:
    assert deadline("2024-05", 5) == datetime(2024, 6, 6)
    assert deadline("2024-12", 5) == datetime(2025, 1, 6)
    assert deadline("2024-01", 28) == datetime(2024, 2, 29)
    assert month_end("2024-02") == date(2024, 2, 29)
    assert month_end("2024-12") == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("now", "period"),
    [
        (datetime(2024, 6, 5, 23, 59), "2024-04"),  # May is not due until the 5th is over
        (datetime(2024, 6, 6, 0, 0), "2024-05"),
        (datetime(2024, 6, 6, 2, 0), "2024-05"),
        (datetime(2024, 6, 30, 2, 0), "2024-05"),
        (datetime(2025, 1, 6, 2, 0), "2024-12"),
        (datetime(2025, 1, 2, 2, 0), "2024-11"),
    ],
)
def test_the_issue_a_night_owes(now: datetime, period: str) -> None:
    assert due_period(now, 5) == period


def test_issue_labels_come_from_the_reference_data() -> None:
    assert issue_number(2024, 5) == "2024年第5期"
    assert issue_number(2024, 5, 2) == "2024年第5期（更正版）"
    assert issue_number(2024, 5, 3) == "2024年第5期（第2次更正版）"


def test_known_at_is_rounded_up_to_the_printed_minute() -> None:
    assert ceil_minute(datetime(2024, 6, 6, 2, 0)) == datetime(2024, 6, 6, 2, 0)
    assert ceil_minute(datetime(2024, 6, 6, 2, 0, 1)) == datetime(2024, 6, 6, 2, 1)
    assert months("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]


def test_revisions_are_against_the_last_issue_of_an_earlier_month_or_for_a_correction_its_own() -> (
    None
):
    rows = [
        {"period": "2024-04", "seq": 1},
        {"period": "2024-05", "seq": 2},
        {"period": "2024-03", "seq": 3},  # a backfill published after May
        {"period": "2024-05", "seq": 4},  # May's corrected edition
    ]
    assert revised_issue(rows, "2024-06") == {"period": "2024-05", "seq": 4}
    assert revised_issue(rows, "2024-05") == {"period": "2024-04", "seq": 1}
    assert revised_issue(rows, "2024-05", correction=True) == {"period": "2024-05", "seq": 4}
    assert revised_issue(rows, "2024-03") is None


def test_the_delivery_step_logs_arrivals_and_refuses_what_it_cannot_record(
    tmp_path: Path,
) -> None:
    settings = settings_at(tmp_path / "home")
    source = tmp_path / "XH_2024-05.xlsx"
    source.write_bytes(b"first")
    now = datetime(2024, 6, 6, 2, 0)
    with pytest.raises(DeliveryError, match="later than now"):
        receive(settings, [source], at=datetime(2024, 6, 6, 3, 0), now=now)
    (delivered,) = receive(settings, [source], at=datetime(2024, 6, 3, 9, 0), now=now)
    assert delivered.read_bytes() == b"first"
    # The same bytes again: the earliest arrival stands.
    receive(settings, [source], at=datetime(2024, 6, 4, 9, 0), now=now)
    logged = read_deliveries(settings)
    assert list(logged.values()) == [datetime(2024, 6, 3, 9, 0)]
    source.write_bytes(b"changed")
    with pytest.raises(DeliveryError, match="under a name of its own"):
        receive(settings, [source], at=now, now=now)
    # A line cut short by a crash is skipped, not fatal.
    with (settings.private_dir / "deliveries.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"file_name": "WH_2024-05.xlsx", "sha')
    assert read_deliveries(settings) == logged
