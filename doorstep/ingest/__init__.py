"""Reading returns as they arrive: files in the inbox → raw text frames (design.md, Contract 1).

    sources = discover_returns(settings.inbox)
    parsed = [read_return(source, ref, settings) for source in sources]

`read_return` never raises for bad input; every problem is an `Issue` with a reason code
from `foundation/reference/reasons.csv`.
"""

from doorstep.ingest.discover import discover_returns
from doorstep.ingest.model import Issue, ParsedReturn, ReturnSource
from doorstep.ingest.reader import read_return, source_digest

__all__ = [
    "Issue",
    "ParsedReturn",
    "ReturnSource",
    "discover_returns",
    "read_return",
    "source_digest",
]
