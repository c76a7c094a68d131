"""The nightly run, step by step: ingest → validate → load → figures → bulletin.

Each step is a plain function in a module of its own under `doorstep/steps/`; the
Prefect flow (`flows/nightly.py`), the CLI and the tests call them through here. Each
takes the settings object built at start-up and hands the next an in-memory value.
Nothing logs a cell value: only file names, codes and counts.
"""

from doorstep.keys import require_known_key
from doorstep.steps.bulletin import bulletin, code_version, issue_number
from doorstep.steps.common import Batch, yesterday_in_beijing
from doorstep.steps.demo import ensure_demo_key, generate_demo
from doorstep.steps.figures import FiguresResult, figure_rows, figures
from doorstep.steps.ingest import ingest
from doorstep.steps.load import LoadSummary, load
from doorstep.steps.summary import RunSummary, summarise
from doorstep.steps.validate import validate

__all__ = [
    "Batch",
    "FiguresResult",
    "LoadSummary",
    "RunSummary",
    "bulletin",
    "code_version",
    "ensure_demo_key",
    "figure_rows",
    "figures",
    "generate_demo",
    "ingest",
    "issue_number",
    "load",
    "require_known_key",
    "summarise",
    "validate",
    "yesterday_in_beijing",
]
