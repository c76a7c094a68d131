"""The field registry (foundation/reference/fields.csv) is the one place a column is
described: the staging DDL agrees with it, personal fields never reach core, and adding
a column to a sheet is a change to the registry plus the SQL that stores it — nothing
else (issue 14)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import duckdb
import openpyxl
import pytest

from foundation.fields import (
    COVER,
    SHEETS,
    fields,
    registry,
    staging_table_columns,
    template_fields,
)
from foundation.reference import load_reference
from tests.conftest import TEST_KEY
from tests.factories import REPO, copy_packages, run_python
from transforms.sheets import SHEET_FIELDS, _parsers
from warehouse.db import connect_private

pytestmark = pytest.mark.integration


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, lower(data_type) from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory):
    con = connect_private(tmp_path_factory.mktemp("registry") / "private" / "doorstep.duckdb")
    yield con
    con.close()


@pytest.mark.parametrize("sheet", SHEETS)
def test_staging_ddl_has_exactly_the_registry_columns_and_types(private, sheet):
    assert _table_columns(private, "staging", sheet) == staging_table_columns(sheet)


def test_no_personal_field_is_a_column_of_core(private):
    found = {
        (sheet, spec.name)
        for sheet in SHEETS
        for spec in fields(sheet)
        if spec.personal and spec.name in _table_columns(private, "core", sheet)
    }
    assert {(s.sheet, s.name) for s in registry() if s.personal} >= {
        ("placements", "id_number"),
        ("households", "head_id_number"),
    }
    assert found == set()


def test_the_registry_agrees_with_the_reference_data_it_names():
    ref = load_reference()
    for spec in registry():
        if spec.choices.startswith("@"):
            assert getattr(ref, spec.choices[1:]), f"{spec.sheet}.{spec.name}: {spec.choices}"
        if spec.sheet != COVER:
            assert spec.sheet in ref.sheets
    # Every header alias names one field of its sheet, so a header never means two things.
    for sheet in (COVER, *SHEETS):
        seen: dict[str, str] = {}
        for spec in template_fields(sheet):
            for alias in spec.headers:
                assert seen.setdefault(alias, spec.name) == spec.name, (sheet, alias)
    # Every parse kind is one the parser has (an unknown one would fail mid-night).
    kinds = set(_parsers(ref))
    assert {f.parse for fs in SHEET_FIELDS.values() for f in fs} <= kinds


# --- adding a column in a temporary copy ---------------------------------------------

NEW_FIELD = "placements,education,return,text,varchar,,,,,,学历|文化程度,学历,Education"
NIGHT = ("run", "--as-of", "2024-05-31", "--now", "2024-06-03 02:00", "--home")
NEW_DDL = "\nalter table staging.placements add column if not exists education varchar;\n"

WRITE_RETURNS = """
import json, sys
from datetime import date
from pathlib import Path

import polars as pl

from doorstep.returns_xlsx import write_return_workbook
from doorstep.template import write_template
from expectations.derived import gx_frame
from foundation.reference import load_reference
from transforms.sheets import parse_sheet

template, inbox = Path(sys.argv[1]), Path(sys.argv[2])
write_template(template, "XH", "2024-05")
station = load_reference().stations["XH"]
row = {
    "seq": 1, "name": "王测试", "gender": "男", "id_number": sys.argv[3],
    "categories": "低保户", "channel": "单位就业", "employer": "某某公司", "job": "包装工",
    "placed_on": date(2024, 5, 20), "monthly_income": 2000, "si_subsidy": "否",
    "education": "大专",
}
cover = {"station_name": station.name, "station_code": "XH", "street": station.street,
         "period": "2024年5月", "reporter": "", "reporter_phone": "", "filled_on": None}
sheets = {sheet: [] for sheet in station.sheets} | {"placements": [row]}
write_return_workbook(inbox / "XH_2024-05.xlsx", cover, sheets)
raw = pl.DataFrame({"return_id": ["r"], "station_code": ["XH"], "period": ["2024-05"],
                    "row_number": [5], "education": ["大专"]})
typed, _ = parse_sheet("placements", raw, "2024-05")
print(json.dumps({"typed": typed.columns, "gx": gx_frame("placements", typed).columns}))
"""


def test_adding_a_column_is_a_registry_row_and_a_ddl_line(tmp_path: Path):
    from tests.factories import synthetic_id

    copy = copy_packages(tmp_path / "src")
    registry_file = copy / "foundation" / "reference" / "fields.csv"
    lines = registry_file.read_text(encoding="utf-8").splitlines()
    after = next(i for i, line in enumerate(lines) if line.startswith("placements,job,"))
    lines.insert(after + 1, NEW_FIELD)
    registry_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ddl = copy / "warehouse" / "ddl" / "03_create_staging_tables.sql"
    ddl.write_text(ddl.read_text(encoding="utf-8") + NEW_DDL, encoding="utf-8")

    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    key = {"DOORSTEP_PSEUDONYM_KEY": TEST_KEY}
    template = tmp_path / "template.xlsx"
    script = [textwrap.dedent(WRITE_RETURNS), str(template), str(home / "inbox"), synthetic_id(1)]
    wrote = run_python(["-c", *script], path=[copy], cwd=tmp_path, env=key)
    columns = json.loads(wrote.stdout.strip().splitlines()[-1])
    assert "education" in columns["typed"] and "education" in columns["gx"]

    sheet = openpyxl.load_workbook(template)["就业帮扶台账"]
    headers = [c.value for c in sheet[2]]
    assert headers[headers.index("就业岗位") + 1] == "学历"

    cli = ["-c", "from doorstep.cli import app; app()", *NIGHT, str(home)]
    night = run_python(cli, path=[copy], cwd=tmp_path, env=key, timeout=600)
    assert "1 rows loaded" in night.stdout, night.stdout
    con = duckdb.connect(str(home / "private" / "doorstep_private.duckdb"), read_only=True)
    try:
        staged = con.execute("select education, extra from staging.placements").fetchall()
    finally:
        con.close()
    # In its own column, not among the unknown columns a station added.
    assert staged == [("大专", None)]


# --- the data dictionary -------------------------------------------------------------

MART_SHEETS = {
    "placements": "placements",
    "placement_history": "placements",
    "training": "training",
    "events": "events",
    "incubated": "incubated",
    "households": "households",
}
_COMMENT = re.compile(r"comment on column analyst\.marts\.(\w+)\.(\w+) is\s*'((?:[^']|'')*)';")


def test_mart_columns_that_are_fields_carry_the_registry_comment():
    """The data dictionary is written from the marts' comments: where a mart column is a
    field of the registry, its description is the registry's."""
    checked = 0
    for path in sorted((REPO / "warehouse" / "marts").glob("create_marts_*.sql")):
        for table, column, text in _COMMENT.findall(path.read_text(encoding="utf-8")):
            sheet = MART_SHEETS.get(table)
            spec = {s.name: s for s in fields(sheet)}.get(column) if sheet else None
            if spec is not None:
                assert text.replace("''", "'") == spec.comment, f"{path.name}: {table}.{column}"
                checked += 1
    assert checked >= 40
