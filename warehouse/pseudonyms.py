"""Pseudonyms in the warehouse: which key made them (its fingerprint, never the key),
and re-keying every person_key and head_key in one transaction."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from transforms.pseudonym import key_fingerprint, person_key
from warehouse.sql import registered, run_sql_file
from warehouse.warehouse import Warehouse


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
    con = Warehouse(path).connect_read_only()
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
        with registered(con, {"rekeyed": rekeyed}):
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
