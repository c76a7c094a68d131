"""Same seed, same bytes and mtimes: the back test compares against committed expectations."""

from __future__ import annotations

from pathlib import Path

from doorstep.demo import generate_demo_returns
from doorstep.returns_xlsx import write_return_workbook


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_demo_same_seed_gives_identical_files_and_mtimes(tmp_path: Path) -> None:
    first = generate_demo_returns(tmp_path / "a")
    second = generate_demo_returns(tmp_path / "b", seed=20240531)
    assert [p.name for p in first] == [p.name for p in second]
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_demo_other_seed_gives_other_people(tmp_path: Path) -> None:
    generate_demo_returns(tmp_path / "a")
    generate_demo_returns(tmp_path / "c", seed=1)
    a, c = snapshot(tmp_path / "a"), snapshot(tmp_path / "c")
    assert a.keys() == c.keys()
    assert a["XH_2024-05.xlsx"][0] != c["XH_2024-05.xlsx"][0]


def test_return_workbook_bytes_do_not_depend_on_wall_clock(tmp_path: Path) -> None:
    cover = {"station_code": "XH", "period": "2024年5月"}
    rows = {"placements": [{"seq": 1, "name": "测试"}]}
    a = write_return_workbook(tmp_path / "a.xlsx", cover, rows).read_bytes()
    import time

    time.sleep(1.1)  # the zip members and docProps would carry the second if taken from the clock
    b = write_return_workbook(tmp_path / "b.xlsx", cover, rows).read_bytes()
    assert a == b
    assert b"2024-06-01T00:00:00Z" in _core_xml(tmp_path / "b.xlsx")


def _core_xml(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        return zf.read("docProps/core.xml")
