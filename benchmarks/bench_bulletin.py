"""The bulletin's cost by number of stations: synthetic contexts rendered to PDF.

    .venv/bin/python benchmarks/bench_bulletin.py [--stations 6 50 200] [--months 12] [--repeat 3]

Each context is tests/integration/bulletin_context.province_context (ten stations to a
street, every station with its figures and its register from January to the as-of
month, the people breakdown by station and category), plus the hand-built six-station
demo context of the bulletin tests. Each render runs in a fresh process: Typst memoises
within a process, so a second render of the same input would measure the cache. The
time is `render_bulletin` alone (context → JSON → Typst → PDF file), best of --repeat;
JSON is the part spent shaping the context before Typst. Beyond
render.STATIONS_IN_BODY_MAX stations the body shows streets and the station tables
are in the annex.

Benchmarks measure; they never assert a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def one(stations: int, months: int) -> dict[str, float | int]:
    """Render once in this process; stations 0 is the demo's six-station context."""
    sys.path.insert(0, str(REPO))
    from pypdf import PdfReader

    from doorstep.bulletin.render import bulletin_json, render_bulletin
    from tests.integration.bulletin_context import context, province_context

    ctx = context() if stations == 0 else province_context(stations, months)
    start = time.perf_counter()
    bulletin_json(ctx)
    shaped = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        pdf = render_bulletin(ctx, Path(tmp) / "bulletin.pdf")
        rendered = time.perf_counter() - start
        pages = len(PdfReader(str(pdf)).pages)
    return {"json": shaped, "render": rendered, "pages": pages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, nargs="+", default=[6, 50, 200])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.months)))
        return 0

    print(f"command : {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine : {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    print(f"\n| {'context':<34} | pages | JSON    | render (best of {args.repeat}) |")
    print(f"|{'-' * 36}|------:|--------:|------------------:|")
    cases = [(0, "demo (6 stations, Jan–May)")] + [
        (n, f"{n} stations × {args.months} months") for n in args.stations
    ]
    for stations, label in cases:
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(stations), "--months", str(args.months)],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(out.stdout))
        best = min(runs, key=lambda r: r["render"])
        print(
            f"| {label:<34} | {best['pages']:>5} | {best['json']:>5.2f} s | {best['render']:>15.2f} s |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
