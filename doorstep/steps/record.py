"""Recording the inbox without the rest of a night: what `doorstep publish` and
`doorstep backfill` do before they publish."""

from __future__ import annotations

from doorstep.steps.feedback import feedback
from doorstep.steps.ingest import ingest
from doorstep.steps.load import LoadSummary, load
from doorstep.steps.validate import validate
from foundation.context import RunContext


def record(ctx: RunContext) -> LoadSummary:
    """ingest → validate → feedback → load, as the nightly flow runs them."""
    batch = validate(ingest(ctx), ctx)
    feedback(batch, ctx)
    return load(batch, ctx)
