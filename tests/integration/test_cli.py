"""The `doorstep` command line as operators, analysts and clerks meet it.

Every failure a user can cause must end with a one-line `doorstep: …` message and a
non-zero exit code, never a Python traceback. The full nightly flow is not run here
(the e2e test does that).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.main import get_command
from typer.testing import CliRunner, Result

from doorstep.cli import app

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
COMMANDS = {
    "demo",
    "run",
    "receive",
    "publish",
    "backfill",
    "serve",
    "status",
    "figures",
    "bulletin",
    "template",
    "sql",
    "docs",
    "rekey",
    "stations",
}
KEY = "cli-test-key-0123456789abcdef0123456789abcdef"

runner = CliRunner()


def invoke(args: list[str], home: Path | None = None, key: str | None = None) -> Result:
    env: dict[str, str | None] = {
        "DOORSTEP_HOME": None if home is None else str(home),
        "DOORSTEP_PSEUDONYM_KEY": key,
        "DOORSTEP_ON_TIME_DAY": None,
        "DOORSTEP_HOLDBACK_SHARE": None,
        "COLUMNS": "200",  # no wrapping of messages in the assertions below
    }
    return runner.invoke(app, args, env=env, prog_name="doorstep")


def assert_clean_failure(result: Result, *, code: int = 2) -> str:
    """A failure the user can act on: the given exit code, a message, no traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.output


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `folder` with its size, modification time and content hash."""
    return {
        str(p.relative_to(folder)): (
            p.stat().st_size,
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def home_with_return(home: Path) -> Path:
    """A DOORSTEP_HOME whose inbox holds one station return, no database yet."""
    from doorstep.template import write_template

    write_template(home / "inbox" / "XH_2024-05.xlsx", "XH", "2024-05")
    return home


@pytest.fixture
def analyst_db_home(home: Path) -> Path:
    """A DOORSTEP_HOME with a tiny analyst database holding `marts.t`."""
    con = duckdb.connect(str(home / "doorstep.duckdb"))
    con.execute(
        "create schema marts;"
        "create table marts.t (station varchar, placements integer);"
        "insert into marts.t values ('XH', 12), ('NF', 7);"
    )
    con.close()
    return home


# ---------------------------------------------------------------- help


def test_help_lists_every_command() -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0
    registered = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert registered == COMMANDS
    for name in COMMANDS:
        assert f" {name} " in result.output
    # A newcomer learns where state lives and which secret is needed.
    assert "DOORSTEP_HOME" in result.output
    assert "DOORSTEP_PSEUDONYM_KEY" in result.output


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command: str) -> None:
    result = invoke([command, "--help"])
    assert result.exit_code == 0, result.output
    assert f"doorstep {command}" in result.output


def test_readme_documents_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert {name for name in COMMANDS if f"`doorstep {name}" not in readme} == set()


def test_installed_entry_point_prints_help(tmp_path: Path) -> None:
    executable = Path(sys.executable).with_name("doorstep")
    env = {**os.environ, "DOORSTEP_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    done = subprocess.run(
        [str(executable), "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in COMMANDS:
        assert name in done.stdout
    # --help creates nothing.
    assert list(tmp_path.iterdir()) == []


def test_bad_date_is_a_usage_error() -> None:
    result = invoke(["figures", "--as-of", "2024-13-01"])
    output = assert_clean_failure(result)
    assert "--as-of" in output


def test_bad_setting_names_the_variable_without_a_traceback(home: Path) -> None:
    result = runner.invoke(
        app,
        ["figures", "--as-of", "2024-05-31"],
        env={"DOORSTEP_HOME": str(home), "DOORSTEP_HOLDBACK_SHARE": "1.5", "COLUMNS": "200"},
    )
    output = assert_clean_failure(result)
    assert "DOORSTEP_HOLDBACK_SHARE" in output


# ---------------------------------------------------------------- run and serve need the key


def test_run_without_key_fails_before_reading_any_return(home_with_return: Path) -> None:
    home = home_with_return
    before = snapshot(home)
    result = invoke(["run", "--as-of", "2024-05-31"], home=home, key=None)
    output = assert_clean_failure(result)
    assert "DOORSTEP_PSEUDONYM_KEY" in output
    assert "doorstep demo" in output
    # Nothing read, written or created: the inbox is as it was, no database exists.
    assert snapshot(home) == before
    assert list(home.rglob("*.duckdb")) == []
    assert not (home / "private").exists()


def test_run_with_short_key_is_refused(home_with_return: Path) -> None:
    home = home_with_return
    before = snapshot(home)
    short_key = "tooshort-9f8e7d"
    result = invoke(["run", "--as-of", "2024-05-31"], home=home, key=short_key)
    output = assert_clean_failure(result)
    assert "too short" in output
    assert short_key not in output  # a secret is never echoed
    assert snapshot(home) == before
    assert list(home.rglob("*.duckdb")) == []


def test_serve_without_key_fails_before_serving(home: Path) -> None:
    result = invoke(["serve"], home=home, key=None)
    output = assert_clean_failure(result)
    assert "DOORSTEP_PSEUDONYM_KEY" in output
    assert list(home.rglob("*.duckdb")) == []


# ---------------------------------------------------------------- figures and bulletin


def test_figures_before_any_run_is_a_clear_error(home: Path) -> None:
    result = invoke(["figures", "--as-of", "2024-05-31", "--json"], home=home, key=KEY)
    output = assert_clean_failure(result)
    assert "doorstep run" in output
    assert not output.lstrip().startswith("[")  # no half-written JSON
    assert list(home.rglob("*.duckdb")) == []


def test_bulletin_before_any_run_is_a_clear_error(home: Path) -> None:
    result = invoke(["bulletin", "--as-of", "2024-05-31"], home=home, key=KEY)
    output = assert_clean_failure(result)
    assert "doorstep run" in output
    assert list(home.rglob("*.pdf")) == []


@pytest.fixture
def empty_warehouse_home(home: Path) -> Path:
    """A DOORSTEP_HOME whose private warehouse exists but holds no return yet."""
    from warehouse.db import connect_private

    connect_private(home / "private" / "doorstep_private.duckdb").close()
    return home


def test_figures_print_figures_without_a_value(empty_warehouse_home: Path) -> None:
    # 2022 has no targets: completion rates and targets have no value.
    home = empty_warehouse_home
    result = invoke(["figures", "--as-of", "2022-12-31", "--json"], home=home, key=KEY)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert any(r["value"] is None for r in rows)
    result = invoke(["figures", "--as-of", "2022-12-31"], home=home, key=KEY)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("F01")
    assert len(result.output.splitlines()) == len(rows)
    # `figures` reads; it does not publish the analyst database.
    assert not (home / "doorstep.duckdb").exists()


# ---------------------------------------------------------------- template


def test_template_writes_the_station_return(tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "returns" / "XH_2024-06.xlsx"
    result = invoke(["template", "--station", "XH", "--period", "2024-06", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    book = openpyxl.load_workbook(out)
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert "XH" in cells


def test_template_default_path_is_station_and_month_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["template", "--station", "xh", "--period", "2024年6月"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "XH_2024-06.xlsx").is_file()


def test_template_unknown_station_lists_the_known_ones(tmp_path: Path) -> None:
    result = invoke(
        ["template", "--station", "QQ", "--period", "2024-06", "--out", str(tmp_path / "x.xlsx")]
    )
    output = assert_clean_failure(result)
    assert "QQ" in output
    assert "XH" in output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("period", ["2024-13", "June", ""])
def test_template_bad_period_shows_the_expected_form(tmp_path: Path, period: str) -> None:
    result = invoke(
        ["template", "--station", "XH", "--period", period, "--out", str(tmp_path / "x.xlsx")]
    )
    output = assert_clean_failure(result)
    assert "2024-06" in output
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- sql and docs


def test_sql_without_database_is_a_clear_error(home: Path) -> None:
    result = invoke(["sql", "-c", "select 1"], home=home)
    output = assert_clean_failure(result)
    assert "no analyst database" in output
    assert not (home / "doorstep.duckdb").exists()  # not created by trying


def test_sql_prints_a_table_from_the_analyst_database(analyst_db_home: Path) -> None:
    result = invoke(
        ["sql", "-c", "select station, placements from marts.t order by station"],
        home=analyst_db_home,
    )
    assert result.exit_code == 0, result.output
    assert "station" in result.output
    assert "placements" in result.output
    lines = [line for line in result.output.splitlines() if "NF" in line or "XH" in line]
    assert len(lines) == 2
    assert "7" in lines[0] and "12" in lines[1]


def test_sql_bad_query_shows_the_duckdb_error(analyst_db_home: Path) -> None:
    result = invoke(["sql", "-c", "select * from marts.nope"], home=analyst_db_home)
    output = assert_clean_failure(result, code=1)
    assert "Catalog Error" in output
    assert "nope" in output


def test_sql_is_read_only(analyst_db_home: Path) -> None:
    before = snapshot(analyst_db_home)
    result = invoke(["sql", "-c", "drop table marts.t"], home=analyst_db_home)
    output = assert_clean_failure(result, code=1)
    assert "read-only" in output
    assert snapshot(analyst_db_home) == before


def test_sql_shows_brackets_in_values_and_errors_as_they_are(analyst_db_home: Path) -> None:
    # Values and DuckDB messages are data, not terminal markup.
    result = invoke(["sql", "-c", "select '[b]备注[/b]' as note"], home=analyst_db_home)
    assert result.exit_code == 0, result.output
    assert "[b]备注[/b]" in result.output
    result = invoke(["sql", "-c", "select '[/red]' + 1"], home=analyst_db_home)
    output = assert_clean_failure(result, code=1)
    assert "[/red]" in output


def test_sql_shell_runs_statements_survives_errors_and_quits_on_eof(
    analyst_db_home: Path,
) -> None:
    session = "select * from marts.nope;\nselect station\n  from marts.t where placements > 10;\n"
    result = runner.invoke(
        app,
        ["sql"],
        input=session,
        env={"DOORSTEP_HOME": str(analyst_db_home), "COLUMNS": "200"},
        prog_name="doorstep",
    )
    assert result.exit_code == 0, result.output
    assert "read-only" in result.output  # the banner says what the analyst is in
    assert "Catalog Error" in result.output  # the error is shown, the shell goes on
    assert "XH" in result.output  # the two-line statement ran after it
    assert "NF" not in result.output


def test_docs_without_database_is_a_clear_error(home: Path) -> None:
    result = invoke(["docs", "--out", str(home / "docs")], home=home)
    output = assert_clean_failure(result)
    assert "no analyst database" in output
    assert not (home / "docs").exists()


def test_status_before_any_run_says_there_is_nothing_yet(home: Path) -> None:
    from doorstep.run_report import operator_labels

    words = operator_labels()["status"]
    result = runner.invoke(app, ["status", "--home", str(home)], env={"PREFECT_API_URL": ""})
    assert result.exit_code == 0, result.output
    assert words["no_run"] in result.output
    assert words["no_bulletin"] in result.output
    assert words["not_served"] in result.output


def test_stations_import_refuses_a_bad_row_then_lists_an_imported_registry(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,street,opened_on\nZY,朝阳社区家门口就业服务站,朐阳街道,2024-1-1\n",
        encoding="utf-8",
    )
    refused = invoke(["stations", "import", str(bad)], home=home)
    assert refused.exit_code == 2
    assert "bad.csv: row 2, column opened_on" in refused.output
    listed = invoke(["stations", "list"], home=home)
    assert "No registry imported" in listed.output
    assert "XH " in listed.output

    good = tmp_path / "good.csv"
    good.write_text(
        "code,name,street,opened_on\nZY,朝阳社区家门口就业服务站,朐阳街道,2024-01-01\n",
        encoding="utf-8",
    )
    imported = invoke(["stations", "import", str(good)], home=home)
    assert imported.exit_code == 0, imported.output
    assert "registry version 1" in imported.output
    listed = invoke(["stations", "list"], home=home)
    assert "Registry version 1 (good.csv" in listed.output
    assert (
        "ZY       朝阳社区家门口就业服务站  朐阳街道  community  opened 2024-01-01" in listed.output
    )
    assert "XH " not in listed.output
