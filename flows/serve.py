"""The nightly deployment: served by this process, 02:00 every day, Beijing time.

`nightly_deployment` only builds the deployment (no Prefect API is contacted), so its
name, schedule and parameters can be checked without serving; `serve_nightly` serves it.
"""

from __future__ import annotations

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from doorstep.runtime import DEPLOYMENT_NAME
from flows.nightly import nightly
from foundation.settings import Settings

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


def nightly_deployment(settings: Settings) -> RunnerDeployment:
    """The nightly deployment for this DOORSTEP_HOME.

    as_of is left to the flow's default (yesterday in Beijing time), so a run that starts
    at 02:00 reports on the day that has just ended. The home is passed as an absolute path,
    so a run does not depend on the folder the server was started from; the flow is found
    by module path (`flows.nightly.nightly`) for the same reason.

    At most one run at a time, and a run scheduled while one is going is cancelled, not
    queued: the next night picks up whatever it would have read. (The flow also takes
    the DOORSTEP_HOME lock, which covers `doorstep run` and backfills started by hand.)
    """
    deployment = nightly.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)],
        parameters={"home": str(settings.home.resolve())},
        description=(
            "Ingest, validate, load, publish the issue that fell due, compute figures and "
            "render the draft."
        ),
        tags=["doorstep"],
        entrypoint_type=EntrypointType.MODULE_PATH,
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
    )
    # to_deployment is sync/async dual; called from sync code it returns the deployment.
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def serve_nightly(settings: Settings) -> None:
    """Serve the nightly deployment until interrupted (Ctrl-C)."""
    from prefect import serve

    serve(nightly_deployment(settings))
