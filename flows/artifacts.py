"""What a run leaves in the Prefect UI besides its log: a Markdown summary of the night
and a table of the returns register (`doorstep.run_report` builds both); and, for
`doorstep status` when no Prefect server answers, the run's record in DOORSTEP_HOME."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from doorstep.run_report import (
    RunSummary,
    headline_figures,
    night_quarantine,
    night_returns,
    register_table,
    summary_markdown,
)
from doorstep.status import RunInfo, record_run
from doorstep.steps.common import Batch
from doorstep.steps.figures import FiguresResult
from foundation.context import RunContext

SUMMARY_KEY = "doorstep-night"
REGISTER_KEY = "doorstep-register"


def publish_run_artifacts(
    batch: Batch, summary: RunSummary, result: FiguresResult, ctx: RunContext
) -> None:
    """Create the run's two artifacts (called inside the flow run, so they belong to it),
    and leave the run's record in DOORSTEP_HOME for `doorstep status` without Prefect."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.runtime import flow_run

    ref = ctx.ref
    markdown = summary_markdown(
        summary,
        night_returns(batch),
        night_quarantine(batch, ref),
        headline_figures(result.figures, ref),
        ref,
    )
    create_markdown_artifact(markdown, key=SUMMARY_KEY, description=summary.message)
    table: Any = register_table(result.returns_register, result.as_of.year)
    create_table_artifact(
        table, key=REGISTER_KEY, description=f"returns register {result.as_of.year}"
    )
    record_run(
        ctx.settings,
        RunInfo(
            state="Completed",
            when=datetime.now(UTC).isoformat(timespec="seconds"),
            summary=summary.message,
            name=flow_run.get_name(),
        ),
    )
