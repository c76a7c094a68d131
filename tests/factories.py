"""Helpers shared by the tests: synthetic ID numbers, raw and typed frames, figure rows,
read-only queries, settings for a test home.

Nothing of the project is imported at module level, so that any test may import this
module before it has set up its environment.

Every ID number made here is fictitious: a made-up 17-digit body with its GB 11643
check character, so that it passes the check-digit rule without naming anyone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
from stdnum.cn import ric

from foundation.fields import SHEETS
from warehouse.db import RETURN_COLUMNS, load_night

if TYPE_CHECKING:
    from foundation.settings import Settings

# The columns Contract 2 (docs/design.md) adds to every typed frame, before the fields.
KEY_TYPES: dict[str, pl.DataType] = {
    "return_id": pl.String(),
    "station_code": pl.String(),
    "period": pl.String(),
    "row_number": pl.Int64(),
}

# The parsed fields of each sheet's typed frame, in order, as Contract 2 lists them.
FIELD_TYPES: dict[str, dict[str, pl.DataType]] = {
    "placements": {
        "name": pl.String(),
        "gender": pl.String(),
        "id_number": pl.String(),
        "id_raw": pl.String(),
        "categories": pl.List(pl.String()),
        "primary_category": pl.String(),
        "disability_cert": pl.String(),
        "channel": pl.String(),
        "employer": pl.String(),
        "job": pl.String(),
        "placed_on": pl.Date(),
        "monthly_income": pl.Float64(),
        "si_subsidy": pl.Boolean(),
        "phone": pl.String(),
        "note": pl.String(),
    },
    "training": {
        "project": pl.String(),
        "training_type": pl.String(),
        "start_on": pl.Date(),
        "end_on": pl.Date(),
        "trainees": pl.Int64(),
        "completed": pl.Int64(),
        "employed_after": pl.Int64(),
        "partner": pl.String(),
        "note": pl.String(),
    },
    "events": {
        "event_name": pl.String(),
        "event_type": pl.String(),
        "held_on": pl.Date(),
        "attendees": pl.Int64(),
        "venue": pl.String(),
    },
    "incubated": {
        "company": pl.String(),
        "credit_code": pl.String(),
        "incubated_on": pl.Date(),
        "jobs": pl.Int64(),
        "hardship_jobs": pl.Int64(),
    },
    "households": {
        "household_id": pl.String(),
        "head_name": pl.String(),
        "head_id_number": pl.String(),
        "members": pl.Int64(),
        "labour": pl.Int64(),
        "identified_on": pl.Date(),
        "status": pl.String(),
        "cleared_on": pl.Date(),
        "cleared_channel": pl.String(),
    },
}


def with_check_digit(first17: str) -> str:
    """The 17 digits followed by their GB 11643 (ISO 7064 MOD 11-2) check character."""
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum ignores the last character


def synthetic_id(seq: int, birth: str = "19900101") -> str:
    """A made-up ID number of Haizhou (320706) born on `birth`, order `seq` (odd = male)."""
    return with_check_digit(f"320706{birth}{seq % 1000:03d}")


def gb11643_valid(text: object) -> bool:
    """The template's rule, counted independently of the pipeline: 18 characters,
    a real birth date, the GB 11643 check character.

    (stdnum's `is_valid` also asks that the region code existed on the birth date,
    which the template does not.)"""
    if not isinstance(text, str) or not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return with_check_digit(text[:17]) == text


def raw_frame(
    sheet: str, rows: list[dict], *, return_id: str = "abc123", **flags: list[bool]
) -> pl.DataFrame:
    """A raw frame as ingest emits it: every canonical column as text, keys added."""
    from foundation.reference import load_reference  # not at import: the e2e test imports late

    columns = list(load_reference().headers[sheet])
    data = {c: [row.get(c) for row in rows] for c in columns}
    frame = pl.DataFrame(data, schema={c: pl.String for c in columns}).with_columns(
        return_id=pl.lit(return_id),
        station_code=pl.lit("XH"),
        period=pl.lit("2024-05"),
        row_number=pl.Series([5 + i for i in range(len(rows))], dtype=pl.Int64),
        extra=pl.lit(None, dtype=pl.String),
    )
    return frame.with_columns(**{k: pl.Series(v, dtype=pl.Boolean) for k, v in flags.items()})


RAW_MALE_ID = with_check_digit("32070619900101123")


def raw_placement(**overrides: Any) -> dict[str, Any]:
    """One clean placements row as text, the way a station types it."""
    row = {
        "seq": "1",
        "name": "张三",
        "gender": "男",
        "id_number": RAW_MALE_ID,
        "categories": "低保",
        "channel": "单位就业",
        "employer": "某公司",
        "job": "普工",
        "placed_on": "2024-05-20",
        "monthly_income": "3000",
        "si_subsidy": "是",
        "phone": "13812341234",
    }
    return row | overrides


def figure_row(
    figure: str,
    scope: str,
    measure: str,
    value: float,
    station: str | None = None,
    category: str | None = None,
    text: str | None = None,
) -> dict[str, Any]:
    """One Contract 5 figure row as of 31 May 2024, known as of the latest data."""
    return {
        "figure": figure,
        "as_of": date(2024, 5, 31),
        "known_at": None,
        "scope": scope,
        "station": station,
        "category": category,
        "measure": measure,
        "value": float(value),
        "text": text,
    }


def crosstab_rows(cells: dict[tuple[str, str, str], int]) -> list[dict[str, Any]]:
    """Station × category × gender rows (reports/select_station_category_gender.sql's
    shape) from {(station, category, gender): persons}, in key order."""
    return [
        {"station_code": s, "category": c, "gender": g, "persons": n}
        for (s, c, g), n in sorted(cells.items())
    ]


def query(db: Path | str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """The rows of one query on a DuckDB file opened read-only, closed again afterwards."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def settings_at(home: Path) -> Settings:
    """Settings for a new DOORSTEP_HOME at `home` (its inbox created) with the test key."""
    from pydantic import SecretStr

    from foundation.settings import Settings
    from tests.conftest import TEST_KEY

    (home / "inbox").mkdir(parents=True)
    return Settings(home=home, pseudonym_key=SecretStr(TEST_KEY))


def deliver_as_planned(settings: Settings, folder: Path) -> datetime:
    """Hand every file in `folder` to the delivery step (`doorstep receive --at`) with the
    arrival its generator planned — written as the file's mtime (UTC), which the pipeline
    itself never reads — and return the latest arrival: a clock for the night after."""
    from datetime import UTC

    from doorstep.steps.receive import receive

    planned = sorted(
        (datetime.fromtimestamp(p.stat().st_mtime, tz=UTC).replace(tzinfo=None), p.name, p)
        for p in folder.iterdir()
        if p.is_file()
    )
    latest = max(at for at, _, _ in planned)
    for at, _, path in planned:
        receive(settings, [path], at=at, now=latest)
    return latest


def load_return(
    con: duckdb.DuckDBPyConnection,
    *,
    return_id: str,
    station_code: str,
    period: str,
    received_at: datetime,
    file_name: str,
    status: str,
    sheets: Mapping[str, pl.DataFrame],
    quarantine: pl.DataFrame | None,
    rows_received: int,
    key: bytes,
    manifest: Mapping[str, Any] | None = None,
) -> bool:
    """Load one return (its passing rows and its quarantine) in a single transaction:
    `warehouse.db.load_night` for a night of one, as tests build it. `manifest` (size, outcome, reason_code,
    first_seen_run, mtime) is its line in raw.files, written in the same transaction.
    Returns False (and changes nothing) when the return_id was loaded before."""
    line = {
        "return_id": return_id,
        "station_code": station_code,
        "period": period,
        "received_at": received_at,
        "file_name": file_name,
        "status": status,
        "rows_received": rows_received,
        **{k: (manifest or {}).get(k) for k in ("size", "reason_code", "first_seen_run", "mtime")},
    }
    if manifest is not None and manifest.get("outcome") not in (None, status):
        raise ValueError("a loaded return's manifest outcome is its status")
    returns = pl.DataFrame([line], schema=RETURN_COLUMNS)
    mine = {
        sheet: frame.with_columns(pl.lit(return_id).alias("return_id"))
        for sheet, frame in sheets.items()
        if sheet in SHEETS and frame.height
    }
    issues = (
        quarantine.with_columns(pl.lit(return_id).alias("return_id"))
        if quarantine is not None
        else None
    )
    unknown = set(sheets) - set(SHEETS) - {"cover"}
    if unknown:
        raise ValueError(f"unknown sheet keys: {sorted(unknown)}")
    return bool(load_night(con, returns, mine, issues, key=key, manifest=manifest is not None))


# --- a copy of the packages, run apart -----------------------------------------------
REPO = Path(__file__).resolve().parents[1]


def copy_packages(dest: Path) -> Path:
    """The project's packages copied into `dest` (returned): for a test that edits the
    reference data or the DDL there and shows that every reader follows."""
    from tests.unit.test_package_layers import PACKAGES

    for package in PACKAGES:
        shutil.copytree(
            REPO / package, dest / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return dest


def run_python(
    args: Sequence[str],
    *,
    path: Sequence[Path],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: int = 300,
) -> subprocess.CompletedProcess[str]:
    """`python *args` in a fresh interpreter that imports from `path` first and inherits
    none of this session's Prefect or doorstep settings (`env` adds some); fails the test
    with the tail of its stderr unless it succeeds."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DOORSTEP_"))}
    clean |= {"PYTHONPATH": os.pathsep.join(str(p) for p in path), **(env or {})}
    done = subprocess.run(
        [sys.executable, *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done
