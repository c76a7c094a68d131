"""A small DOORSTEP_HOME for tests that run the real flow: a few of the demo returns."""

from __future__ import annotations

from pathlib import Path

from doorstep.demo.generate import build_demo_returns, set_delivery_time
from doorstep.returns_xlsx import write_return_workbook


def write_demo_returns(inbox: Path, names: set[str]) -> list[Path]:
    """Write only the named demo returns (e.g. `XH_2024-05.xlsx`) into `inbox`, each with
    its planned delivery time as mtime, as `doorstep demo` does for all of them."""
    inbox.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, cover, content, delivered in build_demo_returns():
        if name in names:
            path = write_return_workbook(inbox / name, cover, content.sheets)
            set_delivery_time(path, delivered)
            paths.append(path)
    assert {p.name for p in paths} == names, names
    return sorted(paths)
