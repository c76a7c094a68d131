"""Which rows load, which are quarantined, and which returns are held back (pure Polars).

A row is quarantined when it has at least one issue whose reason has severity
`error` in reasons.csv; `warning` and `info` issues load with the row. A return whose
share of quarantined rows exceeds `holdback_share` is held back as a whole: none of
its rows load (the station-month keeps its previous version) and the return gets a
RETURN_HELD_BACK issue.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from foundation.issues import ISSUE_SCHEMA
from foundation.reference import Reference, detail, load_reference

ROW_KEY = ["return_id", "sheet", "row_number"]
ISSUE_COLUMNS = list(ISSUE_SCHEMA)


@dataclass(frozen=True)
class Decision:
    """`rows`: every received row with `status` in loaded | quarantined | held_back.

    `returns`: per return_id, `rows_received`, `rows_accepted` (no error),
    `rows_quarantined` (an error), `held_back`, `rows_loaded`; always
    `rows_accepted + rows_quarantined = rows_received` and
    `rows_loaded = 0 if held_back else rows_accepted`.
    `issues`: the issues given plus one RETURN_HELD_BACK per held-back return.
    """

    rows: pl.DataFrame
    returns: pl.DataFrame
    issues: pl.DataFrame

    @property
    def loaded(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("status") == "loaded").select(ROW_KEY)

    @property
    def kept_out(self) -> pl.DataFrame:
        """Rows that do not load: quarantined ones and the clean rows of held-back returns."""
        return self.rows.filter(pl.col("status") != "loaded").select(ROW_KEY)


def _severities(issues: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    unknown = set(issues["reason_code"].unique().to_list()) - set(ref.reasons)
    if unknown:
        raise ValueError(f"reason codes not in reasons.csv: {sorted(unknown)}")
    severity = pl.DataFrame(
        {"reason_code": list(ref.reasons), "severity": [r.severity for r in ref.reasons.values()]}
    )
    return issues.join(severity, on="reason_code", how="left")


def decide(
    issues: pl.DataFrame,
    received: pl.DataFrame,
    holdback_share: float,
    ref: Reference | None = None,
) -> Decision:
    """Split `received` (one row per data row: `return_id, sheet, row_number`) by `issues`."""
    ref = ref or load_reference()
    rows = received.select(
        pl.col("return_id").cast(pl.String),
        pl.col("sheet").cast(pl.String),
        pl.col("row_number").cast(pl.Int64),
    ).unique(maintain_order=True)
    issues = issues.select(ISSUE_COLUMNS).cast({"row_number": pl.Int64})
    bad = (
        _severities(issues, ref)
        .filter((pl.col("severity") == "error") & pl.col("row_number").is_not_null())
        .select(ROW_KEY)
        .unique()
        .with_columns(pl.lit(True).alias("has_error"))
    )
    rows = rows.join(bad, on=ROW_KEY, how="left").with_columns(pl.col("has_error").fill_null(False))

    returns = (
        rows.group_by("return_id", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("rows_received"),
            (~pl.col("has_error")).sum().cast(pl.Int64).alias("rows_accepted"),
            pl.col("has_error").sum().cast(pl.Int64).alias("rows_quarantined"),
        )
        .with_columns(
            (pl.col("rows_quarantined") / pl.col("rows_received") > holdback_share).alias(
                "held_back"
            )
        )
        .with_columns(
            pl.when(pl.col("held_back"))
            .then(0)
            .otherwise(pl.col("rows_accepted"))
            .cast(pl.Int64)
            .alias("rows_loaded")
        )
    )
    if returns.filter(
        pl.col("rows_accepted") + pl.col("rows_quarantined") != pl.col("rows_received")
    ).height:
        raise AssertionError("rows accepted + quarantined differ from rows received")

    rows = rows.join(returns.select("return_id", "held_back"), on="return_id", how="left").select(
        *ROW_KEY,
        pl.when(pl.col("has_error"))
        .then(pl.lit("quarantined"))
        .when(pl.col("held_back"))
        .then(pl.lit("held_back"))
        .otherwise(pl.lit("loaded"))
        .alias("status"),
    )
    held = returns.filter(pl.col("held_back")).select(
        "return_id",
        pl.lit(None, dtype=pl.String).alias("sheet"),
        pl.lit(None, dtype=pl.Int64).alias("row_number"),
        pl.lit(None, dtype=pl.String).alias("column_name"),
        pl.lit("RETURN_HELD_BACK").alias("reason_code"),
        pl.format(
            detail("held_back"),
            "rows_received",
            "rows_quarantined",
            pl.lit(round(holdback_share * 100)),
        ).alias("detail"),
    )
    return Decision(
        rows=rows, returns=returns, issues=pl.concat([issues, held], how="vertical_relaxed")
    )


def merge_issues(parse_issues: pl.DataFrame, gx_issues: pl.DataFrame) -> pl.DataFrame:
    """Parse issues plus GX issues, without telling the clerk twice about one cell.

    A value the parser could not read becomes null in the typed frame, and the suite
    would then also call it REQUIRED_MISSING; the parser's reason is the useful one.
    Cells are matched by canonical header, so parse issues naming the header as the
    station wrote it are mapped through the field registry's header aliases first.
    """
    ref = load_reference()
    alias_to_canonical = {
        (sheet, alias): names[0]
        for sheet, fields in ref.headers.items()
        for names in fields.values()
        for alias in names
    }
    parse = parse_issues.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA)
    parse_cells = (
        parse.filter(pl.col("row_number").is_not_null())
        .select(
            "return_id",
            "sheet",
            "row_number",
            pl.struct("sheet", "column_name")
            .map_elements(
                lambda s: alias_to_canonical.get((s["sheet"], s["column_name"]), s["column_name"]),
                return_dtype=pl.String,
            )
            .alias("column_name"),
        )
        .unique()
    )
    checked = gx_issues.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA)
    already = checked.filter(pl.col("reason_code") == "REQUIRED_MISSING").join(
        parse_cells, on=["return_id", "sheet", "row_number", "column_name"], how="semi"
    )
    checked = checked.join(already, on=list(ISSUE_SCHEMA), how="anti", nulls_equal=True)
    # The same finding from both sides (the parser also reports blank required cells):
    # keep the parser's line, whose detail may say more.
    cell = ["return_id", "sheet", "row_number", "column_name", "reason_code"]
    return pl.concat([parse, checked]).unique(subset=cell, keep="first", maintain_order=True)
