"""The next night of a province: one new return into a full warehouse (issue 12).

    .venv/bin/python benchmarks/bench_next_night.py [--data /tmp/province] [--keep DIR]
        [--stations 200 --months 12] [--repeat 3] [--seed N]

Uses (or generates, like `bench_province.py`) the province set in --data, runs one full
night into a home kept in --keep (made once; a later run with the same --keep starts
from it, so the ~3-minute first night is paid once), then `--repeat` times: a copy of
that home, the resubmission `bench_province.new_return` writes, and every step of the
night on it, each step timed. The first repeat also pays this process's imports (Great
Expectations, Typst, …); later ones show the night's own work, as in `bench_province.py`,
whose next night follows a full one. The inbox in --data is only read. Benchmarks measure;
they never assert a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_province as province


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=province.DEFAULT_SEED)
    parser.add_argument("--data", type=Path, help="keep (and reuse) the province set here")
    parser.add_argument("--keep", type=Path, help="the home after the first night (reused)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="doorstep-next-night-"))
    os.environ.setdefault("PREFECT_HOME", str(root / ".prefect"))
    from doorstep.demo.generate import month_days
    from doorstep.registry import import_stations
    from foundation.settings import Settings

    data = args.data or root / "set"
    inbox, registry = province.generate(data, args.stations, args.months, args.seed)
    as_of = month_days(province.periods(args.months)[-1])[1]
    kept = args.keep or root / "first"
    stamp = kept / "complete"
    if not stamp.exists():
        shutil.rmtree(kept, ignore_errors=True)
        settings = Settings(home=kept / "home", pseudonym_key=SecretStr(province.KEY))
        shutil.copytree(inbox, settings.inbox, copy_function=shutil.copy2)  # keep mtimes
        import_stations(settings, registry, imported_at=datetime(2024, 1, 1))
        table = province.Table()
        started = time.perf_counter()
        province.night(table, settings, as_of)
        print(f"first night: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        stamp.touch()

    nights = []
    for n in range(args.repeat):
        home = root / f"night-{n}"
        shutil.copytree(kept / "home", home, copy_function=shutil.copy2)
        settings = Settings(home=home, pseudonym_key=SecretStr(province.KEY))
        province.new_return(settings.inbox, registry, args.months, args.seed)
        table = province.Table()
        started = time.perf_counter()
        province.night(table, settings, as_of)
        nights.append((time.perf_counter() - started, table.rows))
        shutil.rmtree(home, ignore_errors=True)

    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} CPUs")
    names = [name for name, _, _ in nights[0][1]]
    print("| step | " + " | ".join(f"night {i + 1}" for i in range(len(nights))) + " |")
    print("|---|" + "---:|" * len(nights))
    for i, name in enumerate(names):
        print(f"| {name} | " + " | ".join(f"{rows[i][1]:.2f} s" for _, rows in nights) + " |")
    print("| **next night** | " + " | ".join(f"**{total:.2f} s**" for total, _ in nights) + " |")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
