"""The run's context: every fact a run needs, fixed once where the run starts.

Built at the edge (the CLI, or the flow from its parameters: see
`doorstep.context.run_context`) and handed unchanged to every step, so that no step reads
the clock, the environment, the key or the registry again, and two steps of one run never
see two different answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from foundation.reference import Reference
from foundation.settings import Settings


@dataclass(frozen=True)
class RunContext:
    settings: Settings
    # The run's clock (Beijing time, naive): stamps what is recorded tonight and decides
    # which months are due. Read once.
    now: datetime
    # Figures count up to this date (统计截止日), as known at `known_at` (None: everything
    # received).
    as_of: date
    known_at: datetime | None
    # The deadline rule (returns.md §6): a return is on time up to this day of the next
    # month (foundation/reference/publication.yaml).
    on_time_day: int
    # The home's reference: the package's code lists with the station registry in force.
    ref: Reference
    # targets/<as_of.year>.yaml; empty for a year without targets.
    targets: Mapping[str, Any] = field(default_factory=dict)
    # The pseudonym key, checked against the private DB's fingerprint when the context
    # was built; never printed.
    key: bytes = field(default=b"", repr=False, compare=False)

    @property
    def run_name(self) -> str:
        """The night's name in GX results and the file manifest: its clock."""
        return self.now.strftime("%Y%m%dT%H%M%S")

    def seeing(
        self, as_of: date, known_at: datetime | None, *, clock: datetime | None = None
    ) -> RunContext:
        """The same run, looking at figures as of another date (an issue's month end) or
        as known at another time; the targets follow the as-of year. An issue passes its
        known-at as `clock`, so which months are due is judged as it will be whenever
        the issue is reproduced."""
        targets = self.targets if as_of.year == self.as_of.year else self.ref.targets(as_of.year)
        return replace(self, as_of=as_of, known_at=known_at, targets=targets, now=clock or self.now)
