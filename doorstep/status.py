"""`doorstep status`: where the nightly job stands, in a few lines an operator reads.

- the last run (state, when, its one-line summary): from the Prefect server when
  PREFECT_API_URL is set and answers, else from the record each completed run leaves
  in DOORSTEP_HOME (`last_run.json`);
- the next scheduled run, when `doorstep serve` has registered the deployment;
- the latest month of the returns register, each expected station's return grouped as
  received / not yet due / missing (the groups are lists of register statuses in
  `foundation/reference/operator.yaml`, so a new status is a line of YAML);
- the last issue published (the register of published issues, raw.bulletins).

Each part is gathered on its own and says why when it is unavailable; nothing here
writes, and the databases are opened read-only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from doorstep.run_report import operator_labels
from foundation.reference import load_reference
from foundation.settings import Settings

FLOW_NAME = "doorstep-nightly"
HEALTH_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class RunInfo:
    state: str
    when: str | None  # ISO time, UTC
    summary: str | None
    name: str | None = None
    source: str = "doorstep"  # or "prefect"


@dataclass(frozen=True)
class MonthReturns:
    period: str
    groups: dict[str, list[dict[str, Any]]]  # group label → [{station_code, name, status}]


@dataclass
class Status:
    last_run: RunInfo | None = None
    next_run: str | None = None
    served: bool = False
    month: MonthReturns | None = None
    last_bulletin: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, default=str)


# ------------------------------------------------------------------ what a run records


def last_run_file(settings: Settings) -> Path:
    return settings.home / "last_run.json"


def record_run(settings: Settings, info: RunInfo) -> Path:
    """Write the run's record (atomically: a reader never sees half a file)."""
    path = last_run_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(info), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def _recorded_run(settings: Settings) -> RunInfo | None:
    path = last_run_file(settings)
    if not path.exists():
        return None
    return RunInfo(**json.loads(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------ Prefect, when there


def _reachable(api_url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=HEALTH_TIMEOUT_SECONDS).is_success
    except httpx.HTTPError:
        return False


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


async def _from_prefect(api_url: str) -> tuple[RunInfo | None, str | None, bool]:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    from doorstep.runtime import DEPLOYMENT_NAME

    ours = FlowFilter(name=FlowFilterName(any_=[FLOW_NAME]))
    async with PrefectClient(api_url) as client:
        started = await client.read_flow_runs(
            flow_filter=ours,
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(is_null_=False)),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
        scheduled = await client.read_flow_runs(
            flow_filter=ours,
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
            ),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=1,
        )
        deployments = await client.read_deployments(
            flow_filter=ours,
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[DEPLOYMENT_NAME])),
        )
    last = None
    if started:
        run = started[0]
        last = RunInfo(
            state=(run.state.name if run.state else None) or "Unknown",
            when=_iso(run.end_time or run.start_time),
            summary=run.state.message if run.state else None,
            name=run.name,
            source="prefect",
        )
    next_run = _iso(scheduled[0].expected_start_time) if scheduled else None
    return last, next_run, bool(deployments)


# ------------------------------------------------------------------ the warehouse


def _month(settings: Settings) -> MonthReturns | None:
    import duckdb

    from warehouse.sql import fetch_frame

    if not settings.analyst_db.exists():
        return None
    con = duckdb.connect(str(settings.analyst_db), read_only=True)
    try:
        rows = fetch_frame(con, "status/select_latest_month.sql").to_dicts()
    finally:
        con.close()
    if not rows:
        return None
    labels = operator_labels()
    words = labels["status"]
    group_of = {s: words["received"] for s in labels["received_statuses"]}
    group_of |= {s: words["not_yet_due"] for s in labels["not_yet_due_statuses"]}
    group_of |= {s: words["missing"] for s in labels["missing_statuses"]}
    stations = load_reference().stations
    groups: dict[str, list[dict[str, Any]]] = {
        words["received"]: [],
        words["not_yet_due"]: [],
        words["missing"]: [],
    }
    for r in rows:
        code = r["station_code"]
        label = r["status_label"] or r["status"]
        groups.setdefault(group_of.get(r["status"], label), []).append(
            {
                "station_code": code,
                "name": stations[code].name if code in stations else code,
                "status": label,
            }
        )
    return MonthReturns(period=rows[0]["period"], groups=groups)


def _last_bulletin(settings: Settings) -> dict[str, Any] | None:
    """The last issue (or edition) in the register of published issues."""
    import duckdb

    from warehouse.db import publications

    if not settings.private_db.exists():
        return None
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        published = publications(con)
    finally:
        con.close()
    return published[-1] if published else None


# ------------------------------------------------------------------ all of it


def gather(settings: Settings, api_url: str | None) -> Status:
    """Everything `doorstep status` shows. `api_url` is PREFECT_API_URL (None: not set)."""
    import duckdb

    status = Status()
    if api_url and _reachable(api_url):
        import asyncio

        status.last_run, status.next_run, status.served = asyncio.run(_from_prefect(api_url))
    elif api_url:
        status.notes.append(f"Prefect server at {api_url} does not answer: last run as recorded")
    if status.last_run is None:
        status.last_run = _recorded_run(settings)
    for part, read in (("month", _month), ("last_bulletin", _last_bulletin)):
        try:
            setattr(status, part, read(settings))
        except duckdb.IOException as exc:
            # A running night holds the private database; say so rather than fail.
            status.notes.append(f"{part}: database busy ({exc})")
    return status


def render(status: Status) -> str:
    words = operator_labels()["status"]
    lines = []
    run = status.last_run
    if run is None:
        lines.append(f"{words['last_run']}: {words['no_run']}")
    else:
        name = f" ({run.name})" if run.name else ""
        lines.append(f"{words['last_run']}: {run.state} {run.when or ''}{name} [{run.source}]")
        if run.summary:
            lines.append(f"  {run.summary}")
    next_run = status.next_run or (None if status.served else words["not_served"])
    lines.append(f"{words['next_run']}: {next_run or '—'}")
    if status.month is not None:
        lines.append(words["month"].format(period=status.month.period) + ":")
        for group, members in status.month.groups.items():
            line = words["group_line"].format(group=group, count=len(members))
            items = [
                words["station_item"].format(code=m["station_code"], status=m["status"])
                for m in members
            ]
            lines.append(
                f"  {line}" + (f": {words['station_separator'].join(items)}" if items else "")
            )
    bulletin = status.last_bulletin
    if bulletin is None:
        lines.append(f"{words['last_bulletin']}: {words['no_bulletin']}")
    else:
        known = bulletin.get("known_at")
        line = words["bulletin_line"].format(
            issue_no=bulletin["issue_no"],
            as_of=bulletin["as_of"],
            known_at=known.strftime("%Y-%m-%d %H:%M") if isinstance(known, datetime) else "—",
            path=f" {bulletin['path']}" if bulletin.get("path") else "",
        )
        lines.append(f"{words['last_bulletin']}: {line}")
    lines.extend(f"! {note}" for note in status.notes)
    return "\n".join(lines)
