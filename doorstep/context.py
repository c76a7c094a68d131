"""Building the run's context (`foundation.context.RunContext`) at the edge of a run."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from foundation.context import RunContext
from foundation.reference import on_time_day
from foundation.settings import Settings


def run_context(
    settings: Settings,
    *,
    now: datetime | None = None,
    as_of: date | None = None,
    known_at: datetime | None = None,
    needs_key: bool = True,
) -> RunContext:
    """The context of one run, built once where it starts (CLI command or flow).

    `now` defaults to the wall clock in Beijing time, `as_of` to the day before `now`.
    The pseudonym key is checked here against the private DB's fingerprint — the one
    check of a run, before anything is read — and the home's station registry is read
    here, so every step of the run sees the same one. A command that only reads figures
    (`needs_key=False`) runs without a key; its context holds none.
    """
    from doorstep.keys import require_known_key
    from doorstep.registry import home_reference
    from doorstep.steps.common import beijing_now

    key = require_known_key(settings) if needs_key else b""
    now = now or beijing_now()
    as_of = as_of or now.date() - timedelta(days=1)
    ref = home_reference(settings)
    return RunContext(
        settings=settings,
        now=now,
        as_of=as_of,
        known_at=known_at,
        on_time_day=on_time_day(),
        ref=ref,
        targets=ref.targets(as_of.year),
        key=key,
    )
