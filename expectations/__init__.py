"""Great Expectations suites per sheet, the runner returning row issues, and the
quarantine decision.

`decide` and `merge_issues` are pure Polars and import fast; the GX parts are imported on first use
because importing great_expectations takes several seconds.
"""

from __future__ import annotations

from typing import Any

from expectations.decide import Decision, decide, merge_issues

__all__ = ["Decision", "build_data_docs", "decide", "get_context", "merge_issues", "validate_sheet"]

_RUNNER = {"validate_sheet", "build_data_docs", "get_context"}


def __getattr__(name: str) -> Any:
    if name in _RUNNER:
        from expectations import runner

        return getattr(runner, name)
    raise AttributeError(name)
