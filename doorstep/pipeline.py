"""The nightly run, step by step: ingest → validate → feedback → load → publish → figures
→ dictionary → draft.

Each step is a plain function in a module of its own under `doorstep/steps/` and does
one job; the Prefect flow (`flows/nightly.py`), the CLI and the tests call them through
here. Each takes the run's context (`foundation.context.RunContext`: settings, clock,
as-of, known-at, on-time day, targets, the home's reference and the checked key), built
once where the run starts by `run_context`, and returns an immutable value the next step
takes. Nothing logs a cell value: only file names, codes and counts.
"""

from doorstep.context import run_context
from doorstep.keys import require_known_key
from doorstep.run_report import RunSummary, summarise
from doorstep.steps.bulletin import bulletin, code_version, draft_path, issue_number
from doorstep.steps.common import Batch, beijing_now, month_end, yesterday_in_beijing
from doorstep.steps.dictionary import dictionary
from doorstep.steps.feedback import Feedback, feedback
from doorstep.steps.figures import FiguresResult, figures
from doorstep.steps.ingest import ingest
from doorstep.steps.load import LoadSummary, load
from doorstep.steps.publish import (
    Publication,
    PublicationError,
    backfill,
    due_period,
    publish_backfill,
    publish_due,
    publish_issue,
    published,
    reproduce,
    revised_issue,
)
from doorstep.steps.receive import DeliveryError, receive
from doorstep.steps.record import record
from doorstep.steps.validate import validate
from foundation.context import RunContext
from warehouse.calendar import deadline

__all__ = [
    "Batch",
    "DeliveryError",
    "Feedback",
    "FiguresResult",
    "LoadSummary",
    "Publication",
    "PublicationError",
    "RunContext",
    "RunSummary",
    "backfill",
    "beijing_now",
    "bulletin",
    "code_version",
    "deadline",
    "dictionary",
    "draft_path",
    "due_period",
    "feedback",
    "figures",
    "ingest",
    "issue_number",
    "load",
    "month_end",
    "publish_backfill",
    "publish_due",
    "publish_issue",
    "published",
    "receive",
    "record",
    "reproduce",
    "require_known_key",
    "revised_issue",
    "run_context",
    "summarise",
    "validate",
    "yesterday_in_beijing",
]
