"""The nightly deployment: served by this process, 02:00 every day, Beijing time."""

from __future__ import annotations

from prefect.schedules import Cron

from doorstep.settings import Settings
from flows.nightly import nightly

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


def serve_nightly(settings: Settings) -> None:
    # as_of is left to the flow's default (yesterday in Beijing time), so a run that
    # starts at 02:00 reports on the day that has just ended.
    nightly.serve(
        name="nightly",
        schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)],
        parameters={"home": str(settings.home.resolve())},
        description="Ingest, validate, load, compute figures and render the bulletin.",
        tags=["doorstep"],
    )
