"""A province's returns in one night, against the raw-read floor (issue 12).

    .venv/bin/python benchmarks/bench_province.py [--stations 200 --months 12 | --quick]
        [--data DIR] [--seed N]

Generates (or reuses, in --data) a seeded province: N stations × M months of template-v1
returns written by the demo's own builder and writer (`doorstep.demo.generate`), about
50 placement rows each of which ~2% are bad, and a registry CSV of the N stations. Then,
in this one process, on the same files:

1. the floor: every sheet of every workbook read with fastexcel into Arrow and inserted
   into DuckDB with one statement per sheet — no checks at all;
2. a full doorstep night: `doorstep stations import` of the registry, then the steps of
   `doorstep.pipeline` in order (ingest → validate → feedback → load → figures → bulletin) on a fresh
   home. Prefect is not started: its server start-up is a fixed cost outside this table;
3. the next night: one new return (a resubmission) into that warehouse, all steps again.

Each step prints its wall time, its ratio to the floor, and the peak resident memory of
this process during the step (VmHWM, reset before each step). Child processes (the
ingest's reader workers) are sampled apart: the largest, and this process with all of
them together. Benchmarks measure; they never assert a time.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

KEY = "bench-pseudonym-key-" + "0123456789abcdef" * 3  # synthetic data only
DEFAULT_SEED = 20241231
ROWS_PER_RETURN = 50
BAD_SHARE = 0.02
BAD_KINDS = ("id_bad_checksum", "gender_mismatch", "placed_after_period")
FIRST_PERIOD = "2023-01"
STREETS = ("朐阳", "新海", "云台", "新浦", "海州", "幸福路", "洪门", "宁海", "浦西", "新东")
QUICK = (20, 6)


# -- the province set ---------------------------------------------------------------------
def station_code(i: int) -> str:
    return f"P{i:04d}"


def periods(months: int) -> list[str]:
    from doorstep.demo.generate import next_month

    out = [FIRST_PERIOD]
    while len(out) < months:
        out.append(next_month(out[-1]))
    return out


def write_registry(path: Path, stations: int) -> Path:
    """The province's registry: every station opened on the first day of the set; the
    kind left blank (a community station) on most rows, as a bureau would."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["code", "name", "street", "opened_on", "kind", "aliases"])
        for i in range(1, stations + 1):
            street = STREETS[i % len(STREETS)]
            name = f"{street}第{i}社区家门口就业服务站"
            kind = "incubator" if i % 10 == 0 else ""
            out.writerow([station_code(i), name, f"{street}街道", f"{FIRST_PERIOD}-01", kind, ""])
    return path


def _builder(ref: Any, seed: int, months: list[str]) -> Any:
    """The demo's builder, with a plan giving every province station the profile of the
    demo's first station and ROWS_PER_RETURN placements a month."""
    from doorstep.demo.generate import _Builder, load_plan

    demo = load_plan()
    years = sorted({p[:4] for p in months})
    plan = {
        **demo,
        "profiles": {code: demo["profiles"]["XH"] for code in ref.stations},
        "placements": {code: {y: [ROWS_PER_RETURN] * 12 for y in years} for code in ref.stations},
        "disabled": {},
        **{key: [] for key in ("late_reports", "repeats", "bad_rows", "training", "events")},
        **{key: [] for key in ("incubated", "households", "resubmissions")},
    }
    return _Builder(plan, ref, seed)


def _return_content(builder: Any, code: str, period: str) -> dict[str, list[dict[str, object]]]:
    sm = builder.station_month(code, period)
    rows = sm.sheets["placements"]
    for _ in range(sum(builder.rng.random() < BAD_SHARE for _ in rows)):
        rows.append(builder._bad_row(code, period, builder.rng.choice(BAD_KINDS)))
    sm.sheets["placements"] = [{**row, "seq": i} for i, row in enumerate(rows, start=1)]
    return sm.sheets


def _write_return(
    builder: Any, folder: Path, name: str, code: str, period: str, when: datetime
) -> Path:
    from doorstep.demo.generate import set_delivery_time
    from doorstep.returns_xlsx import write_return_workbook

    sheets = _return_content(builder, code, period)
    path = write_return_workbook(folder / name, builder.cover(code, period, when.date()), sheets)
    set_delivery_time(path, when)
    return path


def _delivered(period: str) -> datetime:
    from doorstep.demo.generate import month_days, next_month

    return datetime.combine(
        month_days(next_month(period))[0] + timedelta(days=2), datetime.min.time()
    ).replace(hour=9)


def province_reference(registry: Path) -> Any:
    from doorstep.registry import read_registry
    from foundation.reference import load_reference

    return load_reference().with_stations({s.code: s for s in read_registry(registry)})


def generate(folder: Path, stations: int, months: int, seed: int) -> tuple[Path, Path]:
    """The province set in `folder` (inbox/ and registry.csv); kept and reused when the
    same size and seed were generated there before."""
    inbox, registry = folder / "inbox", folder / "registry.csv"
    stamp = folder / f"complete-{stations}x{months}-{seed}"
    if stamp.exists():
        return inbox, registry
    shutil.rmtree(folder, ignore_errors=True)
    inbox.mkdir(parents=True)
    write_registry(registry, stations)
    ref = province_reference(registry)
    builder = _builder(ref, seed, periods(months + 1))
    for period in periods(months):
        for code in ref.stations:
            _write_return(builder, inbox, f"{code}_{period}.xlsx", code, period, _delivered(period))
    stamp.touch()
    return inbox, registry


def new_return(folder: Path, registry: Path, months: int, seed: int) -> Path:
    """One more return for the next night: a resubmission of the first station's last month."""
    ref = province_reference(registry)
    period = periods(months)[-1]
    builder = _builder(ref, seed + 1, periods(months + 1))
    code = next(iter(ref.stations))
    when = _delivered(period) + timedelta(days=10)
    return _write_return(builder, folder, f"{code}_{period}_更正.xlsx", code, period, when)


# -- measuring ----------------------------------------------------------------------------
def _peak_kib() -> int:
    """This process's peak RSS since the last reset (VmHWM), else since it started."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: restart VmHWM from now


def _rss_kib(pid: int) -> int:
    with suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """Every 0.2 s, the resident memory of this process's descendants (the ingest's
    forkserver and reader workers, Typst is in-process): the largest of them, and the
    largest total of this process and all of them at one instant. A child's own rusage
    would not do: a process forked from this one counts the pages it shares until exec."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.largest_child = self.largest_total = 0
        self.done = threading.Event()

    def _descendants(self) -> list[int]:
        parent: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with suppress(OSError, ValueError, IndexError):
                    stat = (entry / "stat").read_text()
                    parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        mine, found = {os.getpid()}, True
        while found:
            found = False
            for pid, ppid in parent.items():
                if ppid in mine and pid not in mine:
                    mine.add(pid)
                    found = True
        return sorted(mine - {os.getpid()})

    def run(self) -> None:
        while not self.done.wait(0.2):
            children = [_rss_kib(pid) for pid in self._descendants()]
            self.largest_child = max([self.largest_child, *children])
            self.largest_total = max(self.largest_total, _rss_kib(os.getpid()) + sum(children))


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, int]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        _reset_peak()
        started = time.perf_counter()
        yield
        self.rows.append((name, time.perf_counter() - started, _peak_kib()))
        print(f"  {name}: {self.rows[-1][1]:.1f} s", file=sys.stderr, flush=True)

    def seconds(self, names: tuple[str, ...]) -> float:
        return sum(s for n, s, _ in self.rows if n in names)


def floor(inbox: Path, db: Path) -> tuple[int, int]:
    """Every sheet of every workbook into Arrow (fastexcel) and DuckDB, one insert per
    sheet, nothing checked: (sheets, rows)."""
    import duckdb
    import fastexcel
    import pyarrow  # noqa: F401  (imported before the clock starts, like the night's modules)

    con = duckdb.connect(str(db))
    created: set[str] = set()
    sheets = rows = 0
    try:
        for path in sorted(inbox.glob("*.xlsx")):
            reader = fastexcel.read_excel(str(path))
            for index, _ in enumerate(reader.sheet_names):
                # Every cell as text, title and header rows included: no reading of layout.
                cells = reader.load_sheet(index, header_row=None, dtypes="string").to_arrow()
                name = f"sheet_{index}"
                if name not in created:
                    con.execute(f"create table {name} as select * from cells limit 0")
                    created.add(name)
                con.execute(f"insert into {name} by name select * from cells")
                sheets += 1
                rows += cells.num_rows
    finally:
        con.close()
    return sheets, rows


NIGHT = ("ingest", "validate", "feedback", "load", "figures", "bulletin")


def night(table: Table, settings: Any, as_of: date, prefix: str = "") -> Any:
    from doorstep import pipeline

    ctx = pipeline.run_context(settings, as_of=as_of)
    with table.step(prefix + "ingest"):
        batch = pipeline.ingest(ctx)
    with table.step(prefix + "validate"):
        batch = pipeline.validate(batch, ctx)
    with table.step(prefix + "feedback"):
        pipeline.feedback(batch, ctx)
    with table.step(prefix + "load"):
        loaded = pipeline.load(batch, ctx)
    with table.step(prefix + "figures"):
        result = pipeline.figures(ctx)
    with table.step(prefix + "bulletin"):
        pipeline.bulletin(ctx, result)
    return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK[0]} × {QUICK[1]}")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, help="keep (and reuse) the generated set here")
    args = parser.parse_args()
    stations, months = QUICK if args.quick else (args.stations, args.months)

    root = Path(tempfile.mkdtemp(prefix="doorstep-province-"))
    os.environ.setdefault("PREFECT_HOME", str(root / ".prefect"))
    from doorstep.demo.generate import month_days
    from doorstep.registry import import_stations
    from foundation.settings import Settings

    data = args.data or root / "set"
    started = time.perf_counter()
    inbox, registry = generate(data, stations, months, args.seed)
    files = len(list(inbox.glob("*.xlsx")))
    print(
        f"set: {files} workbooks in {data} ({time.perf_counter() - started:.0f} s to make or find)"
    )
    as_of = month_days(periods(months)[-1])[1]

    import duckdb  # noqa: F401  (the floor's imports are not part of its time)
    import fastexcel  # noqa: F401

    table = Table()
    with table.step("floor (fastexcel → Arrow → DuckDB)"):
        sheets, floor_rows = floor(inbox, root / "floor.duckdb")
    floor_s = table.rows[-1][1]

    settings = Settings(home=root / "home", pseudonym_key=SecretStr(KEY))
    shutil.copytree(inbox, settings.inbox, copy_function=shutil.copy2)  # keep mtimes
    with table.step("registry import"):
        import_stations(settings, registry, imported_at=datetime(2024, 1, 1))
    sampler = Sampler()
    sampler.start()
    loaded = night(table, settings, as_of)
    new_return(settings.inbox, registry, months, args.seed)
    night(table, settings, as_of, prefix="next night: ")

    sampler.done.set()
    whole = table.seconds(NIGHT)
    next_night = table.seconds(tuple(f"next night: {s}" for s in NIGHT))
    print()
    print(
        f"province: {stations} stations × {months} months = {files} workbooks, "
        f"{loaded.rows_received} rows read by doorstep ({loaded.rows_quarantined} quarantined); "
        f"floor read {sheets} sheets, {floor_rows} rows"
    )
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print("Prefect: not started (its server start-up is a fixed cost outside this table)")
    print()
    print(f"| {'step':<36} | {'time':>8} | {'× floor':>8} | {'peak RSS':>9} |")
    print(f"|{'-' * 38}|{'-' * 10}:|{'-' * 10}:|{'-' * 11}:|")
    for name, seconds, peak in table.rows:
        print(
            f"| {name:<36} | {seconds:>6.1f} s | {seconds / floor_s:>8.1f} | {peak / 1024:>6.0f} MB |"
        )
    peak_all = max(p for n, _, p in table.rows if n in NIGHT)
    print(
        f"| {'**whole night** (ingest..bulletin)':<36} | {whole:>6.1f} s | {whole / floor_s:>8.1f} | {peak_all / 1024:>6.0f} MB |"
    )
    print(
        f"| {'**next night, one new return**':<36} | {next_night:>6.1f} s | {next_night / floor_s:>8.1f} |           |"
    )
    print(
        f"child processes (sampled every 0.2 s): the largest {sampler.largest_child / 1024:.0f} MB; "
        f"this process and its children together at most {sampler.largest_total / 1024:.0f} MB"
    )
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
