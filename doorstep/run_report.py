"""What one night did, for people: the line the flow ends with and the few the CLI prints
(`RunSummary`), and the Markdown summary and the register table that each run leaves in
the Prefect UI (`flows/artifacts.py` hands them to Prefect).

Pure functions of the night's batch and figures. Only codes, counts, file names,
station names and the bulletin's own sentences appear — never a cell of a return.
The words come from `foundation/reference/operator.yaml`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from doorstep.steps.common import Batch, _issues_of, _return_rows
from doorstep.steps.figures import FiguresResult
from doorstep.steps.load import LoadSummary
from doorstep.steps.publish import Publication
from foundation.reference import (
    REFERENCE_DIR,
    Reference,
    load_reference,
    return_status_labels,
)


@dataclass(frozen=True)
class RunSummary:
    load: LoadSummary
    as_of: date
    analyst_db: Path | None
    bulletin: Path  # tonight's draft
    headline: str
    issue: Publication | None = None  # the issue published tonight, if one fell due

    @property
    def message(self) -> str:
        state = "completed, with quarantines" if self.load.with_quarantines else "completed"
        return (
            f"{state}: {self.load.returns_read} returns read ({self.load.returns_rejected} rejected, "
            f"{self.load.returns_held_back} held back, {self.load.duplicates} duplicates); "
            f"{self.load.rows_loaded} rows loaded, {self.load.rows_quarantined} quarantined"
        )

    def report(self) -> str:
        return "\n".join(
            [
                self.message,
                f"Analyst database: {self.analyst_db}",
                f"Draft:            {self.bulletin}",
                *(
                    [
                        f"Published:        {self.issue.label} ({self.issue.period}) {self.issue.path}"
                    ]
                    if self.issue
                    else []
                ),
                f"Headline (as of {self.as_of}): {self.headline}",
            ]
        )


def _figure_label(figure: str) -> str:
    """The figure's name in the catalogue (reference/figures.csv)."""
    return next((d["label"] for d in load_reference().definitions if d["figure"] == figure), figure)


def summarise(
    load_summary: LoadSummary,
    result: FiguresResult,
    pdf: Path,
    issue: Publication | None = None,
) -> RunSummary:
    f01 = next(
        (
            r
            for r in result.figures
            if r["figure"] == "F01"
            and r["station"] is None
            and r["category"] is None
            and r["measure"] == "persons"
        ),
        None,
    )
    headline = (
        f"F01 {_figure_label('F01')} = {int(f01['value'])} ({f01.get('text') or ''})"
        if f01
        else "F01 not computed"
    )
    return RunSummary(load_summary, result.as_of, result.analyst_db, pdf, headline, issue)


@cache
def operator_labels() -> dict[str, Any]:
    import yaml

    text = (REFERENCE_DIR / "operator.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def _station_name(code: str | None, ref: Reference) -> str:
    if code in ref.stations:
        return ref.stations[code].name
    return code or "—"


def night_returns(batch: Batch) -> list[dict[str, Any]]:
    """One row per file of the night: station, period, what was decided, row counts."""
    rows = []
    for parsed in batch.returns:
        counts = _return_rows(batch, parsed)
        outcome = (
            "rejected" if parsed.rejected else "held_back" if counts["held_back"] else "accepted"
        )
        rows.append(
            {
                "station_code": parsed.station_code,
                "period": parsed.period,
                "file_name": parsed.file_name,
                "outcome": outcome,
                "rows_received": int(counts["rows_received"]),
                "rows_accepted": int(counts["rows_accepted"]),
                "rows_quarantined": int(counts["rows_quarantined"]),
            }
        )
    rows.extend(
        {
            "station_code": dup.station_code,
            "period": dup.period,
            "file_name": dup.file_name,
            "outcome": "duplicate",
            "rows_received": 0,
            "rows_accepted": 0,
            "rows_quarantined": 0,
        }
        for dup in batch.duplicates
    )
    return sorted(rows, key=lambda r: (r["station_code"] or "~", r["period"] or "", r["file_name"]))


def night_quarantine(batch: Batch, ref: Reference) -> list[dict[str, Any]]:
    """Tonight's refused rows and files by reason (errors only), most frequent first."""
    counts: Counter[str] = Counter()
    for parsed in batch.returns:
        issues = _issues_of(batch, parsed)
        for code, n in issues.group_by("reason_code").len().iter_rows():
            reason = ref.reasons.get(code)
            if reason is not None and reason.severity == "error":
                counts[code] += int(n)
    return [
        {"reason_code": code, "message": ref.reasons[code].message_zh, "rows": n}
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def headline_figures(figures: list[dict[str, Any]], ref: Reference) -> list[dict[str, Any]]:
    """District figures with a sentence in the bulletin's idioms (近200名, 1500多元…)."""
    labels = {d["figure"]: d["label"] for d in ref.definitions}
    return [
        {
            "figure": f"{r['figure']} {labels.get(r['figure'], '')}".strip(),
            "value": _number(r["value"]),
            "text": r["text"],
        }
        for r in figures
        if r.get("station") is None and r.get("category") is None and r.get("text")
    ]


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _table(rows: list[dict[str, Any]], keys: list[str]) -> list[str]:
    columns = operator_labels()["columns"]
    lines = [
        "| " + " | ".join(columns[k] for k in keys) + " |",
        "|" + "---|" * len(keys),
    ]
    for row in rows:
        cells = ("—" if row[k] is None else str(row[k]).replace("|", "\\|") for k in keys)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def summary_markdown(
    summary: RunSummary,
    returns: list[dict[str, Any]],
    quarantine: list[dict[str, Any]],
    headlines: list[dict[str, Any]],
    ref: Reference | None = None,
) -> str:
    ref = ref or load_reference()
    words = operator_labels()["summary"]
    outcomes = operator_labels()["outcomes"]
    load = summary.load
    lines = [f"# {words['title'].format(as_of=summary.as_of.isoformat())}", "", summary.message, ""]
    lines += [f"## {words['returns']}", ""]
    if returns:
        shown = [
            {
                **r,
                "station": _station_name(r["station_code"], ref),
                "status": outcomes[r["outcome"]],
            }
            for r in returns
        ]
        keys = ["station", "period", "file_name", "status", "rows_received"]
        lines += _table(shown, [*keys, "rows_accepted", "rows_quarantined"])
    else:
        lines.append(words["no_returns"])
    lines += [
        "",
        words["rows_line"].format(
            received=load.rows_received,
            loaded=load.rows_loaded,
            quarantined=load.rows_quarantined,
            rejected=load.returns_rejected,
            held_back=load.returns_held_back,
            duplicates=load.duplicates,
        ),
        "",
        f"## {words['quarantine']}",
        "",
    ]
    lines += (
        _table(quarantine, ["reason_code", "message", "rows"])
        if quarantine
        else [words["no_quarantine"]]
    )
    lines += ["", f"## {words['figures']}", ""]
    lines += _table(headlines, ["figure", "value", "text"])
    lines += [
        "",
        f"## {words['outputs']}",
        "",
        f"- {words['bulletin']}: `{summary.bulletin}`",
        *(
            [f"- {words['issue']}: {summary.issue.label} `{summary.issue.path}`"]
            if summary.issue is not None
            else []
        ),
        f"- {words['analyst_db']}: `{summary.analyst_db}`",
        "",
    ]
    return "\n".join(lines)


def register_table(register: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    """The returns register of the as-of year, one row per delivery or missing return,
    with Chinese column names (the table artifact)."""
    ref = load_reference()
    columns = operator_labels()["columns"]
    statuses = return_status_labels()
    keys = ["period", "status", "file_name", "received_at", "rows_received", "rows_accepted"]
    out: list[dict[str, Any]] = []
    for r in register:
        if not str(r.get("period") or "").startswith(f"{year}-"):
            continue
        row: dict[str, Any] = {columns["station"]: _station_name(r.get("station_code"), ref)}
        for k in [*keys, "rows_quarantined"]:
            value = r.get(k)
            if k == "status":
                value = statuses.get(str(value), value)
            row[columns[k]] = value.isoformat(sep=" ") if isinstance(value, datetime) else value
        out.append(row)
    return out


__all__ = [
    "headline_figures",
    "night_quarantine",
    "night_returns",
    "operator_labels",
    "register_table",
    "summary_markdown",
]
