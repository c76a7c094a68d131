"""Run every benchmark under benchmarks/ in turn (`make bench`).

Each bench_*.py prints its own table, the machine and the command that reproduces it.
Benchmarks measure; they never assert a time. bench_province.py runs at its full size
(200 stations × 12 months, about ten minutes on two cores); run it alone with --quick
for a smoke run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n== {script.name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
