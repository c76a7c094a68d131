"""Data dictionary of the analyst DB, generated from its COMMENT ON text."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb

from foundation.reference import bureau, publication_labels
from warehouse.sql import run_sql_file

CATALOG_DIR = Path(__file__).parent / "catalog"
TITLE = publication_labels()["data_dictionary"].format(**bureau())


def _read(analyst_db: Path) -> list[dict]:
    con = duckdb.connect(str(analyst_db), read_only=True)
    try:
        tables = run_sql_file(con, CATALOG_DIR / "select_table_comments.sql").fetchall()
        columns = run_sql_file(con, CATALOG_DIR / "select_column_comments.sql").fetchall()
    finally:
        con.close()
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, dtype, comment in columns:
        by_table.setdefault(table, []).append((column, dtype, comment or ""))
    return [
        {
            "schema": schema,
            "table": table,
            "comment": comment or "",
            "columns": by_table.get(table, []),
        }
        for schema, table, comment in tables
    ]


def _markdown(tables: list[dict]) -> str:
    lines = [f"# {TITLE}", ""]
    for t in tables:
        lines += [f"## `{t['schema']}.{t['table']}`", "", t["comment"], ""]
        lines += ["| 列 column | 类型 type | 说明 description |", "|---|---|---|"]
        for column, dtype, comment in t["columns"]:
            lines.append(f"| `{column}` | {dtype} | {comment.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def _html(tables: list[dict]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(TITLE)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}</style>",
        f"</head><body><h1>{e(TITLE)}</h1>",
    ]
    for t in tables:
        parts.append(f'<h2 id="{e(t["table"])}"><code>{e(t["schema"])}.{e(t["table"])}</code></h2>')
        parts.append(f"<p>{e(t['comment'])}</p>")
        parts.append(
            "<table><tr><th>列 column</th><th>类型 type</th><th>说明 description</th></tr>"
        )
        for column, dtype, comment in t["columns"]:
            parts.append(
                f"<tr><td><code>{e(column)}</code></td><td>{e(dtype)}</td><td>{e(comment)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_data_dictionary(analyst_db: Path, out_dir: Path) -> list[Path]:
    """Write `data_dictionary.md` and `data_dictionary.html` into out_dir; returns both paths."""
    tables = _read(Path(analyst_db))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "data_dictionary.md"
    page = out_dir / "data_dictionary.html"
    md.write_text(_markdown(tables), encoding="utf-8")
    page.write_text(_html(tables), encoding="utf-8")
    return [md, page]
