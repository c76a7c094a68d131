"""Run a sheet's GX suite over all rows of the night and return row issues (Contract 3).

One file-backed GX context per `gx_dir`, reused for every sheet. GX is told to keep
no unexpected values (`exclude_unexpected_values`, `partial_unexpected_count: 0`, no
index query), to identify failing rows by `_row_key` only, and it runs on the frame
from `expectations.derived`, which holds no personal value in the first place.
"""

from __future__ import annotations

import os
import shutil
import threading
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

# GX must not phone home at run time; set before great_expectations is imported.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig

import expectations.custom  # noqa: F401  (registers the custom expectations)
from expectations.derived import ROW_KEY, gx_frame
from expectations.suites import build_suite
from foundation.issues import ISSUE_SCHEMA, empty_issues
from foundation.reference import load_reference
from foundation.settings import Settings

DATASOURCE = "doorstep_returns"
BATCH = "whole_frame"


RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_KEY],
    "exclude_unexpected_values": True,
    "partial_unexpected_count": 0,
    "return_unexpected_index_query": False,
    "include_unexpected_rows": False,
}


# GX contexts and their stores are not thread-safe; Prefect may run sheets in threads.
_LOCK = threading.RLock()


class ValidationError(RuntimeError):
    """An expectation could not be evaluated (not: the data failed it)."""


@cache
def _context(root: Path) -> Any:
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=root)
    context.variables.analytics_enabled = False
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.variables.save()
    return context


def get_context(gx_dir: Path) -> Any:
    """The file-backed GX context under `gx_dir` (created on first use, then cached)."""
    return _context(Path(gx_dir).resolve())


def _batch_definition(context: Any, sheet: str) -> Any:
    try:
        source = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(DATASOURCE)
    try:
        asset = source.get_asset(sheet)
    except LookupError:
        asset = source.add_dataframe_asset(sheet)
    try:
        return asset.get_batch_definition(BATCH)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(BATCH)


def _failing_keys(result: dict[str, Any]) -> list[int]:
    """Row keys from `unexpected_index_list`, in either of the shapes GX returns.

    With `exclude_unexpected_values` GX gives one dict of lists `[{"_row_key": [3, 7]}]`;
    without it, one dict per row `[{"_row_key": 3, "col": value}, ...]`.
    """
    keys: list[int] = []
    for entry in result.get("unexpected_index_list") or []:
        value = entry[ROW_KEY]
        if isinstance(value, list):
            keys.extend(int(v) for v in value)
        else:
            keys.append(int(value))
    return keys


def validate_sheet(
    sheet: str, typed: pl.DataFrame, gx_dir: Path | Settings, run_name: str = "nightly"
) -> pl.DataFrame:
    """Row issues of `sheet` for every row of `typed` (all returns of the night).

    `gx_dir` is the GX project directory, or the `Settings` (then `settings.gx_dir`),
    as docs/design.md Contract 3 writes the call. `run_name` names the GX run.

    `typed` is a Contract 2 frame (`return_id`, `period`, `row_number` and the parsed
    fields). Returns `return_id, sheet, row_number, column_name, reason_code, detail`,
    one row per (row, rule) failed, sorted; `column_name` is the canonical Chinese header.
    """
    if typed.height == 0:
        return empty_issues()
    ref = load_reference()
    frame = gx_frame(sheet, typed).to_pandas()
    with _LOCK:
        context = get_context(gx_dir.gx_dir if isinstance(gx_dir, Settings) else gx_dir)
        suite = context.suites.add_or_update(build_suite(sheet, ref))
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(
                name=f"doorstep_{sheet}", data=_batch_definition(context, sheet), suite=suite
            )
        )
        result = definition.run(
            batch_parameters={"dataframe": frame},
            result_format=RESULT_FORMAT,
            run_id=RunIdentifier(run_name=run_name),
        )

    found: list[dict[str, Any]] = []
    for outcome in result.results:
        config = outcome.expectation_config
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            # Never mistake a broken rule for clean data.
            raise ValidationError(
                f"{sheet}: {config.type} on {config.kwargs.get('column')} could not run"
            )
        if outcome.success:
            continue
        meta = config.meta
        found.extend(
            {
                "_key": key,
                "column_name": meta["column"],
                "reason_code": meta["reason_code"],
                "detail": meta["detail"],
            }
            for key in _failing_keys(outcome.result)
        )
    if not found:
        return empty_issues()
    keys = (
        typed.select("return_id", "row_number")
        .with_row_index("_key")
        .with_columns(pl.col("_key").cast(pl.Int64))
    )
    return (
        pl.DataFrame(
            found,
            schema={
                "_key": pl.Int64,
                "column_name": pl.String,
                "reason_code": pl.String,
                "detail": pl.String,
            },
        )
        .join(keys, on="_key", how="left")
        .with_columns(pl.lit(sheet).alias("sheet"))
        .select(list(ISSUE_SCHEMA))
        .cast(ISSUE_SCHEMA)
        .unique()
        .sort("return_id", "row_number", "column_name", "reason_code")
    )


def build_data_docs(gx_dir: Path, keep_nights: int | None = None) -> None:
    """Render GX Data Docs under `gx_dir` (they hold counts and row keys, no personal values),
    first pruning validation results and their pages to the last `keep_nights` runs."""
    with _LOCK:
        if keep_nights is not None:
            prune_results(gx_dir, keep_nights)
        get_context(gx_dir).build_data_docs()


def _uncommitted(gx_dir: Path) -> Path:
    return Path(gx_dir).resolve() / "gx" / "uncommitted"


def prune_results(gx_dir: Path, keep_nights: int) -> list[str]:
    """Delete the validation results and Data Docs pages of all but the `keep_nights` most
    recent runs; return the run names deleted.

    GX files each result as `validations/<suite>/<run name>/<run time>/…` and its page as
    `data_docs/local_site/validations/<suite>/<run name>/…`; a night's run name is the
    batch's, shared by every sheet it checked. Runs are ordered by their latest run time
    (GX's own UTC stamp), so no clock is read here.
    """
    if keep_nights < 1:
        raise ValueError("keep_nights must be at least 1")
    root = _uncommitted(gx_dir)
    stores = [root / "validations", root / "data_docs" / "local_site" / "validations"]
    latest: dict[str, str] = {}
    for suite in _folders(stores[0]):
        for run in _folders(suite):
            stamp = max((t.name for t in _folders(run)), default="")
            latest[run.name] = max(latest.get(run.name, ""), stamp)
    by_recency = sorted(latest, key=lambda name: (latest[name], name), reverse=True)
    old = set(by_recency[keep_nights:])
    for store in stores:
        for suite in _folders(store):
            for run in _folders(suite):
                if run.name in old:
                    shutil.rmtree(run)
    return sorted(old)


def _folders(path: Path) -> list[Path]:
    return [p for p in path.iterdir() if p.is_dir()] if path.is_dir() else []
