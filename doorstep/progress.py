"""Progress of the night's steps, shown as a bar per step when someone is watching.

The steps call `track()` around their long loops and the flow's tasks are
`@shown`. Nothing is shown unless the
CLI, on a terminal, installed a display with `terminal_progress()`: in tests, CI, cron
or a served run the calls cost nothing and print nothing.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class Display(Protocol):
    def start(self, step: str) -> None: ...
    def total(self, step: str, total: int) -> None: ...
    def advance(self, step: str) -> None: ...
    def finish(self, step: str) -> None: ...


_display: Display | None = None


def track(items: Iterable[T], step: str, total: int | None = None) -> Iterator[T]:
    """Yield `items`, advancing the bar of `step` after each one."""
    display = _display
    if display is None:
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    display.start(step)
    if total is not None:
        display.total(step, total)
    for item in items:
        yield item
        display.advance(step)


def shown(fn: Callable[P, R]) -> Callable[P, R]:
    """A step with a bar of its own (named after the function) while it runs.

    Put under `@task`: Prefect's own state hooks would each add two INFO lines to the
    run's log, and the log is for people too.
    """

    @functools.wraps(fn)
    def step(*args: P.args, **kwargs: P.kwargs) -> R:
        display = _display
        if display is None:
            return fn(*args, **kwargs)
        display.start(fn.__name__)
        try:
            return fn(*args, **kwargs)
        finally:
            display.finish(fn.__name__)

    return step


def wants_progress(stream: Any = None) -> bool:
    """A person is watching: the stream is a terminal, and this is not CI."""
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")


class _RichDisplay:
    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def start(self, step: str) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=None)

    def total(self, step: str, total: int) -> None:
        self.start(step)
        self.progress.update(self.tasks[step], total=total, completed=0)

    def advance(self, step: str) -> None:
        self.start(step)
        self.progress.advance(self.tasks[step])

    def finish(self, step: str) -> None:
        self.start(step)
        task = self.tasks[step]
        done = self.progress.tasks[task].total or 1
        self.progress.update(task, total=done, completed=done)


@contextmanager
def terminal_progress(enabled: bool | None = None) -> Iterator[None]:
    """Show a Rich progress bar per step while the block runs, if a person is watching."""
    global _display
    if not (wants_progress() if enabled is None else enabled):
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        _display = _RichDisplay(progress)
        try:
            yield
        finally:
            _display = None
