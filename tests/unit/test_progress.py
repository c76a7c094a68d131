"""Progress bars appear only for a person at a terminal, and never change what a step does."""

from __future__ import annotations

import io

import pytest

from doorstep import progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not progress.wants_progress(io.StringIO())
    assert progress.wants_progress(_Tty())


def test_no_bar_in_ci_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert not progress.wants_progress(_Tty())


def test_tracking_without_a_display_yields_every_item_unchanged() -> None:
    items = iter(["a.xlsx", "b.xlsx"])  # a generator, as the worker pool's results are
    assert list(progress.track(items, "ingest", total=2)) == ["a.xlsx", "b.xlsx"]


def test_a_rich_bar_per_step_counts_the_items() -> None:
    @progress.shown
    def load(names: list[str]) -> list[str]:
        return list(progress.track(names, "load"))

    with progress.terminal_progress(enabled=True):
        display = progress._display
        assert display is not None
        assert load(["a", "b", "c"]) == ["a", "b", "c"]
        bars = {t.description: t for t in display.progress.tasks}  # type: ignore[attr-defined]
    assert bars["load"].total == 3
    assert bars["load"].completed == 3
    assert progress._display is None  # gone with the block


def test_a_failing_step_still_closes_its_bar() -> None:
    @progress.shown
    def figures() -> None:
        raise FileNotFoundError("no warehouse")

    with progress.terminal_progress(enabled=True):
        display = progress._display
        with pytest.raises(FileNotFoundError):
            figures()
        bar = display.progress.tasks[0]  # type: ignore[union-attr]
    assert bar.description == "figures"
    assert bar.finished
