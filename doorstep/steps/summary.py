"""What one night did, in one line for the flow's final state and a few for the operator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from doorstep.steps.figures import FiguresResult
from doorstep.steps.load import LoadSummary
from doorstep.steps.publish import Publication
from foundation.reference import load_reference


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
