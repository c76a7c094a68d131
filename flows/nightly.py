"""The nightly flow: ingest → validate → load → publish → figures → draft.

Each task is one named step calling a plain function in `doorstep.pipeline`; no
parsing, SQL or rules live here. Tasks hand each other in-memory objects and never
persist results, because those objects hold personal data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, State

from doorstep import pipeline
from doorstep.lock import home_lock
from doorstep.progress import shown
from flows.artifacts import publish_run_artifacts
from flows.retry import IO_RETRIES
from foundation.homecheck import prepare_home
from foundation.settings import Settings


@task(name="ingest", **IO_RETRIES, cache_policy=NO_CACHE, persist_result=False)
@shown
def ingest(settings: Settings, now: datetime) -> pipeline.Batch:
    return pipeline.ingest(settings, now=now)


@task(name="validate", cache_policy=NO_CACHE, persist_result=False)
@shown
def validate(batch: pipeline.Batch, settings: Settings) -> pipeline.Batch:
    return pipeline.validate(batch, settings)


@task(name="load", cache_policy=NO_CACHE, persist_result=False)
@shown
def load(batch: pipeline.Batch, settings: Settings) -> pipeline.LoadSummary:
    return pipeline.load(batch, settings)


@task(name="publish", cache_policy=NO_CACHE, persist_result=False)
@shown
def publish(settings: Settings, now: datetime) -> pipeline.Publication | None:
    return pipeline.publish_due(settings, now)


@task(name="figures", cache_policy=NO_CACHE, persist_result=False)
@shown
def figures(
    settings: Settings, as_of: date, known_at: datetime | None, now: datetime
) -> pipeline.FiguresResult:
    previous = pipeline.revised_issue(pipeline.published(settings), f"{as_of:%Y-%m}")
    return pipeline.figures(settings, as_of, known_at, now=now, previous=previous)


@task(name="draft", cache_policy=NO_CACHE, persist_result=False)
@shown
def draft(settings: Settings, result: pipeline.FiguresResult) -> Path:
    return pipeline.bulletin(settings, result)


@flow(name="doorstep-nightly", log_prints=False)
def nightly(
    as_of: date | None = None,
    known_at: datetime | None = None,
    home: str | None = None,
    now: datetime | None = None,
) -> State:
    """One night: record the new returns, publish the issue that fell due (if any), refresh
    the analyst database as of `as_of` (default: yesterday) and render the draft.

    `now` is the run's clock (Beijing time, default the wall clock, read here once): it
    stamps the returns recorded tonight and decides what is due.
    """
    settings = Settings() if home is None else Settings(home=Path(home))
    now = now or pipeline.beijing_now()
    as_of = as_of or now.date() - timedelta(days=1)
    settings.require_key()  # refuse to start before touching anything
    # One night at a time, however it was started (already held when the CLI started it);
    # the key's fingerprint is read from the private DB only under the lock.
    with home_lock(settings, f"nightly run as of {as_of}"):
        pipeline.require_known_key(settings)
        prepare_home(settings)
        batch = ingest(settings, now)
        batch = validate(batch, settings)
        loaded = load(batch, settings)
        issue = publish(settings, now)
        result = figures(settings, as_of, known_at, now)
        pdf = draft(settings, result)
    summary = pipeline.summarise(loaded, result, pdf, issue)
    publish_run_artifacts(batch, summary, result, settings)
    get_run_logger().info(summary.message)
    return Completed(message=summary.message, data=summary)
