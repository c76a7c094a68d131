"""The nightly flow: ingest → validate → load → figures → bulletin.

Each task is one named step calling a plain function in `doorstep.pipeline`; no
parsing, SQL or rules live here. Tasks hand each other in-memory objects and never
persist results, because those objects hold personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, State

from doorstep import pipeline
from doorstep.settings import Settings


@task(name="ingest", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE, persist_result=False)
def ingest(settings: Settings) -> pipeline.Batch:
    return pipeline.ingest(settings)


@task(name="validate", cache_policy=NO_CACHE, persist_result=False)
def validate(batch: pipeline.Batch, settings: Settings) -> pipeline.Batch:
    return pipeline.validate(batch, settings)


@task(name="load", cache_policy=NO_CACHE, persist_result=False)
def load(batch: pipeline.Batch, settings: Settings) -> pipeline.LoadSummary:
    return pipeline.load(batch, settings)


@task(name="figures", cache_policy=NO_CACHE, persist_result=False)
def figures(settings: Settings, as_of: date, known_at: datetime | None) -> pipeline.FiguresResult:
    return pipeline.figures(settings, as_of, known_at)


@task(name="bulletin", cache_policy=NO_CACHE, persist_result=False)
def bulletin(settings: Settings, result: pipeline.FiguresResult) -> Path:
    return pipeline.bulletin(settings, result)


@flow(name="doorstep-nightly", log_prints=False)
def nightly(
    as_of: date | None = None, known_at: datetime | None = None, home: str | None = None
) -> State:
    settings = Settings() if home is None else Settings(home=Path(home))
    as_of = as_of or pipeline.yesterday_in_beijing()
    pipeline.require_known_key(settings)  # refuse to start before touching anything
    batch = ingest(settings)
    batch = validate(batch, settings)
    loaded = load(batch, settings)
    result = figures(settings, as_of, known_at)
    pdf = bulletin(settings, result)
    summary = pipeline.summarise(loaded, result, pdf)
    get_run_logger().info(summary.message)
    return Completed(message=summary.message, data=summary)
