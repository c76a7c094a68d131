"""Which failures a retry can mend: input/output that may succeed a few seconds later.

A return still being copied into the inbox, a file another program holds open, the
private database locked by another process: each can clear by itself, so the step is
tried again. Anything else — a broken rule, a wrong setting, a programming error —
would fail the same way again, so it fails at once with its own message.
"""

from __future__ import annotations

from typing import Any

# Errors of the file system that say "this path is wrong", not "try later".
_PERMANENT_OS_ERRORS = (IsADirectoryError, NotADirectoryError)


def is_transient(exc: BaseException | None) -> bool:
    """True for an I/O error that may clear by itself, here or anywhere in its cause chain."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and not isinstance(exc, _PERMANENT_OS_ERRORS):
            return True
        if _is_duckdb_io_error(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _is_duckdb_io_error(exc: BaseException) -> bool:
    # DuckDB's IOException ("Could not set lock on file …") is not an OSError.
    import duckdb

    return isinstance(exc, duckdb.IOException)


def retry_on_io_error(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's `retry_condition_fn`: retry a failed task only for a transient I/O error."""
    data = getattr(state, "data", None)
    return isinstance(data, BaseException) and is_transient(data)


# The options of a task that reads files others may still be writing.
IO_RETRIES: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": 10,
    "retry_condition_fn": retry_on_io_error,
}
