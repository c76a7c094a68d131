"""The nightly flow: ingest → validate → feedback → load → publish → figures → dictionary
→ draft.

Each task is one named step calling a plain function in `doorstep.pipeline`; no
parsing, SQL or rules live here. The run's context is built once, from the flow's
parameters, before the first task, and every task takes it. Tasks hand each other
in-memory objects and never persist results, because those objects hold personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, State

from doorstep import pipeline
from doorstep.lock import home_lock
from doorstep.progress import shown
from flows.artifacts import publish_run_artifacts
from flows.retry import IO_RETRIES
from foundation.context import RunContext
from foundation.homecheck import prepare_home
from foundation.settings import Settings


@task(name="ingest", **IO_RETRIES, cache_policy=NO_CACHE, persist_result=False)
@shown
def ingest(ctx: RunContext) -> pipeline.Batch:
    return pipeline.ingest(ctx)


@task(name="validate", cache_policy=NO_CACHE, persist_result=False)
@shown
def validate(batch: pipeline.Batch, ctx: RunContext) -> pipeline.Batch:
    return pipeline.validate(batch, ctx)


@task(name="feedback", cache_policy=NO_CACHE, persist_result=False)
@shown
def feedback(batch: pipeline.Batch, ctx: RunContext) -> pipeline.Feedback:
    return pipeline.feedback(batch, ctx)


@task(name="load", cache_policy=NO_CACHE, persist_result=False)
@shown
def load(batch: pipeline.Batch, ctx: RunContext) -> pipeline.LoadSummary:
    return pipeline.load(batch, ctx)


@task(name="publish", cache_policy=NO_CACHE, persist_result=False)
@shown
def publish(ctx: RunContext) -> pipeline.Publication | None:
    return pipeline.publish_due(ctx)


@task(name="figures", cache_policy=NO_CACHE, persist_result=False)
@shown
def figures(ctx: RunContext) -> pipeline.FiguresResult:
    previous = pipeline.revised_issue(pipeline.published(ctx.settings), f"{ctx.as_of:%Y-%m}")
    return pipeline.figures(ctx, previous=previous)


@task(name="dictionary", cache_policy=NO_CACHE, persist_result=False)
@shown
def dictionary(ctx: RunContext) -> list[Path]:
    return pipeline.dictionary(ctx)


@task(name="draft", cache_policy=NO_CACHE, persist_result=False)
@shown
def draft(ctx: RunContext, result: pipeline.FiguresResult) -> Path:
    return pipeline.bulletin(ctx, result)


@flow(name="doorstep-nightly", log_prints=False)
def nightly(
    as_of: date | None = None,
    known_at: datetime | None = None,
    home: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> State:
    """One night: record the new returns, publish the issue that fell due (if any), refresh
    the analyst database as of `as_of` (default: yesterday) and render the draft.

    `now` is the run's clock (Beijing time, default the wall clock, read here once): it
    stamps the returns recorded tonight and decides what is due. `settings` is the CLI's
    own (a deployment passes `home` instead and the settings are read here).
    """
    settings = settings or (Settings() if home is None else Settings(home=Path(home)))
    now = now or pipeline.beijing_now()
    # One night at a time, however it was started (already held when the CLI started it);
    # the context checks the key against the private DB, which is read only under the lock.
    with home_lock(settings, f"nightly run at {now:%Y-%m-%d %H:%M}"):
        ctx = pipeline.run_context(settings, now=now, as_of=as_of, known_at=known_at)
        prepare_home(settings)
        batch = ingest(ctx)
        batch = validate(batch, ctx)
        feedback(batch, ctx)
        loaded = load(batch, ctx)
        issue = publish(ctx)
        result = figures(ctx)
        dictionary(ctx)
        pdf = draft(ctx, result)
    summary = pipeline.summarise(loaded, result, pdf, issue)
    publish_run_artifacts(batch, summary, result, ctx)
    get_run_logger().info(summary.message)
    return Completed(message=summary.message, data=summary)
