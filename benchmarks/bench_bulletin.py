"""The bulletin step's cost by number of stations: disclosure control, then the PDF.

    .venv/bin/python benchmarks/bench_bulletin.py [--stations 6 50 200] [--months 12] [--repeat 3]

Each context is tests/integration/bulletin_context.province_context (ten stations to a
street, every station with its figures and its register from January to the as-of
month), plus the hand-built six-station demo context of the bulletin tests. The people
behind them: for the provinces a seeded synthetic cross-tab (persons per station ×
category × gender drawn from 0, 0, 1, 2, 3, 5, 6, 8, 12, so about a third are 1–4, with
F02, F03 and F04 consistent with it: a station's persons its largest category, its
disabled persons its category 02), for the demo the cross-tab of
tests/integration/test_bulletin_disclosure.py.

The bulletin step is what `doorstep.steps.bulletin` does with a figures snapshot:
disclosure control (`doorstep.bulletin.tables.disclose`, the linear-programming audit of
every hidden cell), then `render_bulletin` (context → JSON → Typst → PDF file) with the
breakdown it chose. Each case runs in a fresh process, best of --repeat (by the whole
step): Typst memoises within a process, so a second render of the same input would
measure the cache. JSON is the part of the render spent shaping the context before
Typst. Beyond render.STATIONS_IN_BODY_MAX stations the body shows streets and the
station tables are in the annex.

Benchmarks measure; they never assert a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 1
PEOPLE_FIGURES = {("F02", "persons"), ("F03", "persons_attributed"), ("F04", "disabled_persons")}


def province_people(codes: list[str], seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """A seeded cross-tab of persons by station × category × gender, and the F02, F03
    and F04 rows an issue would publish beside it."""
    from tests.factories import figure_row

    rng = random.Random(seed)
    crosstab, rows = [], []
    per_category: dict[str, int] = {}
    disabled = 0
    for code in codes:
        station: dict[str, int] = {}
        for category in ("01", "02", "03", "04", "05"):
            for gender in ("男", "女"):
                n = rng.choice([0, 0, 1, 2, 3, 5, 6, 8, 12])
                crosstab.append(
                    {"station_code": code, "category": category, "gender": gender, "persons": n}
                )
                station[category] = station.get(category, 0) + n
                per_category[category] = per_category.get(category, 0) + n
        rows.append(figure_row("F03", "ytd", "persons_attributed", max(station.values()), code))
        rows.append(figure_row("F04", "since_opening", "disabled_persons", station["02"], code))
        disabled += station["02"]
    rows += [figure_row("F02", "ytd", "persons", n, None, c) for c, n in per_category.items()]
    rows.append(figure_row("F04", "since_opening", "disabled_persons", disabled))
    return crosstab, rows


def one(stations: int, months: int) -> dict[str, float | int | str]:
    """The bulletin step once in this process; stations 0 is the demo's six-station context."""
    sys.path.insert(0, str(REPO))
    from pypdf import PdfReader

    from doorstep.bulletin.narrative import fill_texts
    from doorstep.bulletin.render import bulletin_json, render_bulletin
    from doorstep.bulletin.tables import LEVELS, disclose
    from tests.integration import test_bulletin_disclosure as demo
    from tests.integration.bulletin_context import context, province_context

    if stations == 0:
        ctx = context()
        crosstab, figures = demo._crosstab(), fill_texts(demo._figures())
    else:
        ctx = province_context(stations, months)
        crosstab, people = province_people([s["station_code"] for s in ctx.stations])
        kept = [r for r in ctx.figures if (r["figure"], r["measure"]) not in PEOPLE_FIGURES]
        figures = fill_texts(kept + people)
    start = time.perf_counter()
    disclosure = disclose(crosstab, figures)
    disclosed = time.perf_counter() - start
    ctx = dataclasses.replace(ctx, figures=figures, disclosure=disclosure)
    start = time.perf_counter()
    bulletin_json(ctx)
    shaped = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        pdf = render_bulletin(ctx, Path(tmp) / "bulletin.pdf")
        rendered = time.perf_counter() - start
        pages = len(PdfReader(str(pdf)).pages)
    tables = dict(LEVELS).get(disclosure["level"], ())
    hidden = sum(r["persons"] == "*" for t in tables for r in disclosure[t])
    return {
        "disclose": disclosed,
        "json": shaped,
        "render": rendered,
        "step": disclosed + rendered,
        "pages": pages,
        "level": disclosure["level"],
        "hidden": hidden,
    }


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
    print(
        f"\n| {'context':<34} | pages | people table, stars | disclose | JSON    "
        f"| render  | bulletin step (best of {args.repeat}) |"
    )
    print(f"|{'-' * 36}|------:|:--------------------|---------:|--------:|--------:|-----:|")
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
        best = min(runs, key=lambda r: r["step"])
        table = f"{best['level']}, {best['hidden']}"
        print(
            f"| {label:<34} | {best['pages']:>5} | {table:<19} | {best['disclose']:>6.2f} s "
            f"| {best['json']:>5.2f} s | {best['render']:>5.2f} s | {best['step']:>5.2f} s |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
