"""Reference data in the warehouse: the code lists and the station registry that
figures join to, refreshed from `foundation.reference` and the imported registry."""

from __future__ import annotations

import duckdb
import polars as pl

from foundation.reference import Reference, load_reference, return_status_labels, scope_labels
from warehouse.sql import registered, run_sql_file


def _frames(ref: Reference) -> dict[str, pl.DataFrame]:
    return {
        "reference_stations": pl.DataFrame(
            [
                {
                    "code": s.code,
                    "name": s.name,
                    "street": s.street,
                    "opened_on": s.opened_on,
                    "kind": s.kind,
                }
                for s in ref.stations.values()
            ],
            schema={
                "code": pl.String,
                "name": pl.String,
                "street": pl.String,
                "opened_on": pl.Date,
                "kind": pl.String,
            },
        ),
        "reference_channels": pl.DataFrame(
            [
                {"code": c.code, "label": c.label, "rollup": c.rollup or c.code}
                for c in ref.channels.values()
            ],
            schema={"code": pl.String, "label": pl.String, "rollup": pl.String},
        ),
        "reference_categories": pl.DataFrame(
            [{"code": c.code, "label": c.label} for c in ref.categories.values()],
            schema={"code": pl.String, "label": pl.String},
        ),
        "reference_reasons": pl.DataFrame(
            [
                {"reason_code": r.reason_code, "severity": r.severity, "message_zh": r.message_zh}
                for r in ref.reasons.values()
            ],
            schema={"reason_code": pl.String, "severity": pl.String, "message_zh": pl.String},
        ),
        **{
            f"reference_{name}": pl.DataFrame(
                [{"code": code, "label": label} for code, label in labels.items()],
                schema={"code": pl.String, "label": pl.String},
            )
            for name, labels in (
                ("scopes", scope_labels()),
                ("return_statuses", return_status_labels()),
            )
        },
    }


def refresh_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Reload core's code lists and stations in one transaction: the package's
    reference data, and the bureau's latest imported registry when there is one."""
    with registered(con, _frames(load_reference())):
        con.begin()
        try:
            run_sql_file(con, "core/refresh_reference.sql")
            con.commit()
        except BaseException:
            con.rollback()
            raise
