"""What the bulletin is made from (Contract 6): everything the template shows, nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class BulletinContext:
    as_of: date
    known_at: datetime | None  # None = the latest data
    issue_no: str  # e.g. "2024年第5期", "2024年第5期（更正版）"; the draft label for a draft
    figures: list[dict[str, Any]]  # Contract 5 rows, text filled by narrative.fill_texts
    stations: list[dict[str, Any]]  # station_code, name, street, opened_on, kind
    returns_register: list[dict[str, Any]]
    # ^ station_code, period, status, file_name, received_at, rows_accepted, rows_quarantined
    quarantine_by_reason: list[dict[str, Any]]  # reason_code, message_zh, rows
    revisions: list[dict[str, Any]]  # figure, label, period, measure, old_value, new_value, cause
    definitions: list[dict[str, Any]]  # reference/figures.csv rows
    data_version: str  # sha256 over the accepted return digests
    code_version: str  # package version + git commit when known
    # After disclosure control (doorstep.bulletin.tables.disclose): the people breakdown
    # the rule chose (`level`; cells as text, "*" where hidden), the figure rows not to
    # print (`hidden_figures`: figure, scope, station, category, measure), and the rule's
    # parameters for the notes. Empty: no breakdown, every figure printed.
    disclosure: dict[str, Any] = field(default_factory=dict)
    # A nightly draft: marked as such on every page, never numbered or published.
    draft: bool = False
