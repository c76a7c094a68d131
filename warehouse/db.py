"""The private warehouse: schemas from `warehouse/ddl/`, loads in one transaction.

Python here only chooses `.sql` files and binds parameters; all SQL lives in the files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from foundation.faults import fault_point
from foundation.fields import SHEETS, typed_columns
from foundation.issues import QUARANTINE_SCHEMA
from foundation.reference import load_reference, return_status_labels, scope_labels
from transforms.pseudonym import key_fingerprint, person_key, with_person_key

SQL_DIR = Path(__file__).parent
DDL_DIR = SQL_DIR / "ddl"

# Far enough ahead to mean "everything received so far" as a bound timestamp.
EVERYTHING_KNOWN = datetime(9999, 12, 31, 23, 59, 59)

RETURN_STATUSES = ("accepted", "held_back", "rejected")

# Columns of each staging table's incoming frame and their types, from the field registry;
# a typed frame that lacks one (an empty or missing sheet) gets it as nulls.
STAGING_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    sheet: typed_columns(sheet) for sheet in SHEETS
}

QUARANTINE_COLUMNS: dict[str, pl.DataType] = dict(QUARANTINE_SCHEMA)

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def split_statements(sql: str) -> list[str]:
    """Split a .sql file on `;` outside quotes and `--` comments."""
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(sql)
    quote: str | None = None
    while i < n:
        ch = sql[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            current.append(ch)
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            current.append(sql[i:end])
            i = end
            continue
        elif ch == ";":
            statements.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    statements.append("".join(current))
    return [s for s in statements if _strip_comments(s).strip()]


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _bind(statement: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only the parameters a statement names: DuckDB refuses unused ones."""
    names = set(_PARAM.findall(_strip_comments(statement)))
    params = params or {}
    missing = names - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not supplied: {sorted(missing)}")
    return {name: params[name] for name in names}


def _resolve(path: Path | str) -> Path:
    """Relative paths are relative to the warehouse/ folder."""
    path = Path(path)
    return path if path.is_absolute() else SQL_DIR / path


def run_sql_file(
    con: duckdb.DuckDBPyConnection, path: Path | str, params: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run every statement of a .sql file with bound `$name` parameters.

    Returns the connection after the last statement, so a file that ends in a query
    can be fetched: `run_sql_file(con, p, {...}).fetchall()` (or use `fetch_frame`).
    """
    path = _resolve(path)
    result = con
    for statement in split_statements(path.read_text(encoding="utf-8")):
        bound = _bind(statement, params)
        result = con.execute(statement, bound) if bound else con.execute(statement)
    return result


def fetch_frame(
    con: duckdb.DuckDBPyConnection, path: Path | str, params: Mapping[str, Any] | None = None
) -> pl.DataFrame:
    """Run a .sql file that ends in a query and return its rows as a polars frame."""
    path = _resolve(path)
    statements = split_statements(path.read_text(encoding="utf-8"))
    for statement in statements[:-1]:
        con.execute(statement, _bind(statement, params))
    last = statements[-1]
    return con.sql(last, params=_bind(last, params) or None).pl()


def connect_private(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the private DB, apply the DDL, refresh reference data."""
    from foundation.homecheck import PRIVATE_FILE_MODE, make_private_dir

    path = Path(path)
    make_private_dir(path.parent)
    con = duckdb.connect(str(path))
    # DuckDB creates the file by the umask (often 644): personal data is for its owner only.
    path.chmod(PRIVATE_FILE_MODE)
    for ddl in sorted(DDL_DIR.glob("*.sql")):
        run_sql_file(con, ddl)
    _refresh_reference(con)
    return con


def _refresh_reference(con: duckdb.DuckDBPyConnection) -> None:
    ref = load_reference()
    frames = {
        "reference_stations": pl.DataFrame(
            [
                {
                    "code": s.code,
                    "name": s.name,
                    "street": s.street,
                    "opened_on": s.opened_on,
                    "kind": s.kind,
                }
                for s in ref.stations.values()
            ],
            schema={
                "code": pl.String,
                "name": pl.String,
                "street": pl.String,
                "opened_on": pl.Date,
                "kind": pl.String,
            },
        ),
        "reference_channels": pl.DataFrame(
            [
                {"code": c.code, "label": c.label, "rollup": c.rollup or c.code}
                for c in ref.channels.values()
            ],
            schema={"code": pl.String, "label": pl.String, "rollup": pl.String},
        ),
        "reference_categories": pl.DataFrame(
            [{"code": c.code, "label": c.label} for c in ref.categories.values()],
            schema={"code": pl.String, "label": pl.String},
        ),
        "reference_reasons": pl.DataFrame(
            [
                {"reason_code": r.reason_code, "severity": r.severity, "message_zh": r.message_zh}
                for r in ref.reasons.values()
            ],
            schema={"reason_code": pl.String, "severity": pl.String, "message_zh": pl.String},
        ),
        **{
            f"reference_{name}": pl.DataFrame(
                [{"code": code, "label": label} for code, label in labels.items()],
                schema={"code": pl.String, "label": pl.String},
            )
            for name, labels in (
                ("scopes", scope_labels()),
                ("return_statuses", return_status_labels()),
            )
        },
    }
    with _registered(con, frames):
        con.begin()
        try:
            run_sql_file(con, "core/refresh_reference.sql")
            con.commit()
        except BaseException:
            con.rollback()
            raise


class _registered:
    """Register polars frames as views for the duration of a block."""

    def __init__(self, con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame]):
        self.con = con
        self.frames = frames

    def __enter__(self) -> None:
        for name, frame in self.frames.items():
            self.con.register(name, frame)

    def __exit__(self, *exc: object) -> None:
        for name in self.frames:
            self.con.unregister(name)


def record_file(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> bool:
    """Record a delivered file in raw.files; False when its bytes were seen before
    (a byte-identical copy, possibly under another name, which is recorded but not loaded)."""
    seen = file_seen(con, manifest["sha256"])
    _insert_file(con, manifest)
    return not seen


def _insert_file(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> None:
    params = {
        "sha256": manifest["sha256"],
        "file_name": manifest["file_name"],
        "size": manifest.get("size"),
        "received_at": manifest.get("received_at"),
        "station_code": manifest.get("station_code"),
        "period": manifest.get("period"),
        "outcome": manifest.get("outcome"),
        "reason_code": manifest.get("reason_code"),
        "first_seen_run": manifest.get("first_seen_run"),
        "mtime": manifest.get("mtime"),
    }
    run_sql_file(con, "raw/insert_file.sql", params)


def files_seen(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """sha256 → the names each content was received under."""
    seen: dict[str, set[str]] = {}
    for sha256, file_name in run_sql_file(con, "raw/select_files_seen.sql").fetchall():
        seen.setdefault(sha256, set()).add(file_name)
    return seen


def file_seen(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    rows = run_sql_file(con, "raw/select_file_seen.sql", {"sha256": sha256}).fetchall()
    return bool(rows and rows[0][0])


def _conform(frame: pl.DataFrame | None, columns: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Exactly the staging columns, in order and typed; absent ones as nulls."""
    if frame is None:
        return pl.DataFrame(schema=dict(columns))
    exprs = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in columns.items()
    ]
    return frame.select(exprs)


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
    """Load one return (its passing rows and its quarantine) in a single transaction.

    `manifest` (size, outcome, reason_code, first_seen_run) is its line in raw.files,
    written in the same transaction: "seen" and "loaded" commit together or not at all.
    Returns False (and changes nothing) when the return_id was loaded before. Rows
    of held-back and rejected returns are kept for the record, but only accepted
    returns can ever become the current version of a station-month.
    """
    if status not in RETURN_STATUSES:
        raise ValueError(f"status must be one of {RETURN_STATUSES}, not {status!r}")
    unknown = set(sheets) - set(SHEETS) - {"cover"}
    if unknown:
        raise ValueError(f"unknown sheet keys: {sorted(unknown)}")

    identity = {"return_id": return_id, "station_code": station_code, "period": period}
    frames: dict[str, pl.DataFrame] = {}
    for sheet in SHEETS:
        frame = sheets.get(sheet)
        if frame is not None and frame.height:
            # The return's identity comes from the caller, not from whatever the frame says.
            frame = frame.with_columns(
                pl.lit(return_id).alias("return_id"),
                pl.lit(station_code).alias("station_code"),
                pl.lit(period).alias("period"),
            )
        conformed = _conform(frame, STAGING_COLUMNS[sheet])
        if sheet == "placements":
            conformed = with_person_key(conformed, key)
        elif sheet == "households":
            conformed = with_person_key(conformed, key, column="head_id_number", name="head_key")
        frames[f"incoming_{sheet}"] = conformed
    frames["incoming_quarantine"] = _conform(quarantine, QUARANTINE_COLUMNS)
    rows_passed = sum(frames[f"incoming_{s}"].height for s in SHEETS)

    with _registered(con, frames):
        con.begin()
        try:
            present = run_sql_file(
                con, "raw/select_return_exists.sql", {"return_id": return_id}
            ).fetchall()
            if present and present[0][0]:
                con.rollback()
                return False
            run_sql_file(
                con,
                "raw/insert_return.sql",
                {
                    **identity,
                    "received_at": received_at,
                    "file_name": file_name,
                    "status": status,
                    "rows_received": rows_received,
                    "rows_passed": rows_passed,
                },
            )
            if manifest is not None:
                _insert_file(
                    con,
                    {
                        **manifest,
                        "sha256": return_id,
                        "file_name": file_name,
                        "received_at": received_at,
                        "station_code": station_code or None,
                        "period": period or None,
                    },
                )
            fault_point("load:after_record")
            run_sql_file(con, "raw/insert_quarantine.sql", {"return_id": return_id})
            for sheet in SHEETS:
                run_sql_file(con, f"staging/insert_staging_{sheet}.sql")
                run_sql_file(con, f"core/insert_core_{sheet}.sql", {"return_id": return_id})
            fault_point("load:before_commit")
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return True


def record_publication(con: duckdb.DuckDBPyConnection, row: Mapping[str, Any]) -> None:
    """Add one published issue or edition to the register (raw.bulletins); its `seq`
    (publication order) is the next number."""
    keys = (
        "as_of",
        "known_at",
        "data_version",
        "issue_no",
        "path",
        "period",
        "issue_number",
        "edition",
        "published_at",
        "code_version",
        "file_name",
        "sha256",
        "revises_seq",
    )
    run_sql_file(con, "raw/insert_bulletin.sql", {k: row.get(k) for k in keys})


def publications(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every published issue and edition, in publication order."""
    cur = run_sql_file(con, "raw/select_publications.sql")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def last_known_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest known-at anything was published with (None before the first)."""
    rows = run_sql_file(con, "raw/select_last_known_at.sql").fetchall()
    return rows[0][0] if rows else None


class KeyMismatch(Exception):
    """The pseudonym key given is not the one this warehouse's pseudonyms were made with."""


def _stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = run_sql_file(con, "keys/select_key_fingerprint.sql").fetchall()
    return str(rows[0][0]) if rows else None


def _key_problem(con: duckdb.DuckDBPyConnection, key: bytes) -> str | None:
    """Why `key` is not this warehouse's key, or None when it is (or nothing says otherwise)."""
    if run_sql_file(con, "keys/select_fingerprint_table_exists.sql").fetchall()[0][0]:
        stored = _stored_fingerprint(con)
        if stored is not None:
            return None if stored == key_fingerprint(key) else "its fingerprint differs"
    # A warehouse from before fingerprints: the pseudonyms themselves tell.
    for id_number, pseudonym in run_sql_file(con, "keys/select_keyed_id_sample.sql").fetchall():
        if person_key(id_number, key) != pseudonym:
            return "it did not make the stored person keys"
    return None


def check_key(path: Path | str, key: bytes) -> None:
    """Raise KeyMismatch unless `key` made this private DB's pseudonyms. Opens the DB
    read-only and changes nothing; a DB not there yet accepts any key."""
    path = Path(path)
    if not path.exists():
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        problem = _key_problem(con, key)
    finally:
        con.close()
    if problem:
        raise KeyMismatch(problem)


def record_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Store the key's fingerprint at first use; raise KeyMismatch for another key."""
    con.begin()
    try:
        problem = _key_problem(con, key)
        if problem:
            raise KeyMismatch(problem)
        if _stored_fingerprint(con) is None:
            run_sql_file(
                con, "keys/insert_key_fingerprint.sql", {"fingerprint": key_fingerprint(key)}
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def rekey(con: duckdb.DuckDBPyConnection, old_key: bytes, new_key: bytes) -> int:
    """Re-key every pseudonym from the ID numbers in staging and store the new key's
    fingerprint, in one transaction. Returns how many persons (distinct ID numbers)."""
    con.begin()
    try:
        problem = _key_problem(con, old_key)
        if problem:
            raise KeyMismatch(problem)
        keyed = run_sql_file(con, "keys/select_keyed_ids.sql").fetchall()
        pairs: dict[str, str] = {}
        for id_number, pseudonym in keyed:
            if person_key(id_number, old_key) != pseudonym:
                raise KeyMismatch("it did not make every stored person key")
            pairs[pseudonym] = person_key(id_number, new_key)
        rekeyed = pl.DataFrame(
            {"old_key": list(pairs), "new_key": list(pairs.values())},
            schema={"old_key": pl.String, "new_key": pl.String},
        )
        with _registered(con, {"rekeyed": rekeyed}):
            run_sql_file(con, "keys/update_pseudonyms.sql")
            stale = run_sql_file(con, "keys/select_stale_pseudonyms.sql").fetchall()[0][0]
            if stale:
                raise RuntimeError("some pseudonyms have no ID number in staging to re-key from")
        fingerprint = {"fingerprint": key_fingerprint(new_key)}
        if _stored_fingerprint(con) is None:
            run_sql_file(con, "keys/insert_key_fingerprint.sql", fingerprint)
        else:
            run_sql_file(con, "keys/update_key_fingerprint.sql", fingerprint)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len({row[0] for row in keyed})
