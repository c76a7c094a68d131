"""Great Expectations suites per sheet, the runner returning row issues, and the
quarantine decision.

`decide` is pure Polars and imports fast; the GX parts are imported on first use
because importing great_expectations takes several seconds.
"""

from __future__ import annotations

from typing import Any

from expectations.decide import Decision, decide

__all__ = ["Decision", "build_data_docs", "decide", "get_context", "merge_issues", "validate_sheet"]

_RUNNER = {"validate_sheet", "build_data_docs", "get_context", "merge_issues"}


def __getattr__(name: str) -> Any:
    if name in _RUNNER:
        from expectations import runner

        return getattr(runner, name)
    raise AttributeError(name)
