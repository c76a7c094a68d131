"""The province benchmark's generator and floor at a tiny size, so the script cannot rot.
No time is asserted: benchmarks measure."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from doorstep.ingest import read_return
from foundation.settings import Settings

pytestmark = [pytest.mark.integration]

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_province.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_province", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_quick_generator_writes_returns_doorstep_reads_as_the_registrys_stations(
    bench: ModuleType, tmp_path: Path
) -> None:
    inbox, registry = bench.generate(tmp_path / "set", stations=2, months=2, seed=7)
    names = sorted(p.name for p in inbox.glob("*.xlsx"))
    assert names == [
        "P0001_2023-01.xlsx",
        "P0001_2023-02.xlsx",
        "P0002_2023-01.xlsx",
        "P0002_2023-02.xlsx",
    ]
    ref = bench.province_reference(registry)
    assert sorted(ref.stations) == ["P0001", "P0002"]
    for path in sorted(inbox.glob("*.xlsx")):
        parsed = read_return(path, ref, Settings(home=tmp_path / "home"))
        assert not parsed.rejected, parsed.issues
        assert (parsed.station_code, parsed.period) == tuple(path.stem.split("_"))
        assert parsed.sheets["placements"].height >= bench.ROWS_PER_RETURN
    # The same seed finds the set made before instead of writing it again.
    stamp = next((tmp_path / "set").glob("complete-*"))
    before = {p.name: p.stat().st_mtime_ns for p in inbox.glob("*.xlsx")}
    bench.generate(tmp_path / "set", stations=2, months=2, seed=7)
    assert {p.name: p.stat().st_mtime_ns for p in inbox.glob("*.xlsx")} == before
    assert stamp.exists()

    extra = bench.new_return(tmp_path / "next", registry, months=2, seed=7)
    assert extra.name == "P0001_2023-02_更正.xlsx"
    assert read_return(extra, ref, Settings(home=tmp_path / "home")).period == "2023-02"


def test_the_floor_puts_every_sheet_of_every_workbook_into_duckdb(
    bench: ModuleType, tmp_path: Path
) -> None:
    inbox, _ = bench.generate(tmp_path / "set", stations=1, months=2, seed=7)
    sheets, rows = bench.floor(inbox, tmp_path / "floor.duckdb")
    # Cover and the five sheets of a community station, in each of the two workbooks.
    assert sheets == 2 * 6
    placements = sum(
        read_return(p, bench.province_reference(tmp_path / "set" / "registry.csv"), Settings())
        .sheets["placements"]
        .height
        for p in inbox.glob("*.xlsx")
    )
    assert rows > placements
