"""The nightly run, step by step: ingest → validate → load → publish → figures → draft.

Each step is a plain function in a module of its own under `doorstep/steps/`; the
Prefect flow (`flows/nightly.py`), the CLI and the tests call them through here. Each
takes the settings object built at start-up (and the run's clock `now`, read once where
the run starts) and hands the next an in-memory value. Nothing logs a cell value: only
file names, codes and counts.
"""

from doorstep.keys import require_known_key
from doorstep.steps.bulletin import bulletin, code_version, draft_path, issue_number
from doorstep.steps.common import Batch, beijing_now, deadline, month_end, yesterday_in_beijing
from doorstep.steps.demo import deliver_demo, ensure_demo_key, generate_demo
from doorstep.steps.figures import FiguresResult, figure_rows, figures
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
from doorstep.steps.summary import RunSummary, summarise
from doorstep.steps.validate import validate

__all__ = [
    "Batch",
    "DeliveryError",
    "FiguresResult",
    "LoadSummary",
    "Publication",
    "PublicationError",
    "RunSummary",
    "backfill",
    "beijing_now",
    "bulletin",
    "code_version",
    "deadline",
    "deliver_demo",
    "draft_path",
    "due_period",
    "ensure_demo_key",
    "figure_rows",
    "figures",
    "generate_demo",
    "ingest",
    "issue_number",
    "load",
    "month_end",
    "publish_backfill",
    "publish_due",
    "publish_issue",
    "published",
    "receive",
    "reproduce",
    "require_known_key",
    "revised_issue",
    "summarise",
    "validate",
    "yesterday_in_beijing",
]
