"""The private warehouse as an object: it owns the connections to one DuckDB file and
brings that file's schema up to date once per process, not on every connect."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import ClassVar

import duckdb

from foundation.homecheck import PRIVATE_FILE_MODE, make_private_dir
from warehouse.reference import refresh_reference
from warehouse.sql import SQL_DIR, run_sql_file

DDL_DIR = SQL_DIR / "ddl"


def apply_ddl(con: duckdb.DuckDBPyConnection) -> None:
    """Every file of warehouse/ddl in order. Each statement is idempotent (`if not
    exists`, `add column if not exists`, `create or replace`), so this also migrates a
    file made by an earlier version."""
    for ddl in sorted(DDL_DIR.glob("*.sql")):
        run_sql_file(con, ddl)


def _has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """A catalog lookup, not the DDL: a file deleted and made again may get the same
    inode, and must not be taken for the one already prepared."""
    return bool(run_sql_file(con, "catalog/select_schema_present.sql").fetchall()[0][0])


class Warehouse:
    """The private DuckDB file at `path` (personal data: its owner only).

    The first `connect()` in a process applies the DDL and refreshes the reference
    data; later ones only open the file. A file replaced under the same path counts as
    new."""

    _prepared: ClassVar[set[tuple[str, int, int]]] = set()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _identity(self) -> tuple[str, int, int]:
        info = self.path.stat()
        return (str(self.path.resolve()), info.st_dev, info.st_ino)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-write connection, the schema current (the caller closes it)."""
        make_private_dir(self.path.parent)
        con = duckdb.connect(str(self.path))
        try:
            # DuckDB creates the file by the umask (often 644).
            self.path.chmod(PRIVATE_FILE_MODE)
            with self._lock:
                identity = self._identity()
                if identity not in self._prepared or not _has_schema(con):
                    apply_ddl(con)
                    refresh_reference(con)
                    self._prepared.add(identity)
        except BaseException:
            con.close()
            raise
        return con

    def connect_read_only(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to a file that exists; the schema left as it is."""
        if not self.path.exists():
            raise FileNotFoundError(os.fspath(self.path))
        return duckdb.connect(str(self.path), read_only=True)
