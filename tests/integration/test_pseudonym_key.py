"""The pseudonym key a warehouse was made with: fingerprinted at first use, a run under
another key refused before it touches anything, and rotation with `doorstep rekey`.

The measured bug: the demo loaded under one key, then a corrected WH return run under
another key, counted WH's people again (F01 193 instead of 192) without a warning.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from prefect.server.api.server import SubprocessASGIServer
from pydantic import SecretStr
from typer.testing import CliRunner

from doorstep import pipeline
from doorstep.cli import app
from doorstep.demo import generate_demo_returns
from doorstep.demo.generate import set_delivery_time
from doorstep.keys import KeyMismatchError
from foundation.settings import Settings
from tests.conftest import TEST_KEY
from tests.factories import query, settings_at
from transforms.pseudonym import key_fingerprint, person_key

pytestmark = [pytest.mark.integration]

AS_OF = date(2024, 5, 31)
KEY_A = TEST_KEY
KEY_B = "another-pseudonym-key-fedcba9876543210fedcba98765432"
CORRECTED = "WH_2024-05_更正.xlsx"
F01 = "select value from marts.figures where figure = 'F01' and scope = 'ytd' " + (
    "and station is null and category is null and measure = 'persons'"
)
KEYS = (
    "select p.return_id, p.row_number, p.person_key, s.id_number from core.placements p "
    "join staging.placements s using (return_id, row_number) order by 1, 2"
)
FIGURES = "select * exclude (known_at) from marts.figures order by all"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): _digest(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _with_key(settings: Settings, key: str) -> Settings:
    return settings.model_copy(update={"pseudonym_key": SecretStr(key)})


def _night(settings: Settings) -> None:
    ctx = pipeline.run_context(settings, as_of=AS_OF)
    pipeline.record(ctx)
    pipeline.figures(ctx)


def _cli(settings: Settings, key: str, *args: str) -> Any:
    env = {"DOORSTEP_PSEUDONYM_KEY": key, "DOORSTEP_HOME": str(settings.home)}
    return CliRunner().invoke(app, [*args, "--home", str(settings.home)], env=env)


def _correct_wh(settings: Settings) -> Path:
    """WH's May return again, one job title corrected."""
    book = openpyxl.load_workbook(settings.inbox / "WH_2024-05.xlsx")
    sheet = book["就业帮扶台账"]
    header = next(c for row in sheet.iter_rows() for c in row if c.value == "就业岗位")
    cell = sheet.cell(row=header.row + 1, column=header.column)
    cell.value = f"{cell.value}（更正）"
    path = settings.inbox / CORRECTED
    book.save(path)
    set_delivery_time(path, datetime(2024, 6, 20, 9))
    return path


@dataclass
class Home:
    settings: Settings  # key A
    figures: list[tuple[Any, ...]]  # as published under key A
    keys: list[tuple[Any, ...]]  # core pseudonyms under key A, with their staging ID numbers


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    settings = settings_at(tmp_path_factory.mktemp("keys") / "home")
    generate_demo_returns(settings.inbox)
    _night(settings)
    return Home(
        settings,
        query(settings.analyst_db, FIGURES),
        query(settings.private_db, KEYS),
    )


def test_first_use_stores_a_fingerprint_not_the_key(home: Home) -> None:
    (stored,) = query(home.settings.private_db, "select fingerprint from raw.pseudonym_key")
    assert stored == (key_fingerprint(KEY_A.encode()),)
    assert stored[0] != key_fingerprint(KEY_B.encode())
    assert KEY_A.encode() not in home.settings.private_db.read_bytes()
    assert [r[0] for r in query(home.settings.analyst_db, F01)] == [192.0]


def test_a_run_under_another_key_refuses_and_touches_nothing(home: Home) -> None:
    settings = home.settings
    _correct_wh(settings)
    before = (_digest(settings.private_db), _digest(settings.analyst_db), _tree(settings.feedback))
    servers = set(SubprocessASGIServer._instances)
    result = _cli(settings, KEY_B, "run", "--as-of", "2024-05-31")
    assert result.exit_code == 2, result.output
    # Refused before Prefect's start-up, not after it: no temporary server was started.
    assert set(SubprocessASGIServer._instances) == servers
    assert "doorstep rekey" in result.output and "DOORSTEP_PSEUDONYM_KEY" in result.output
    assert KEY_B not in result.output and KEY_A not in result.output
    after = (_digest(settings.private_db), _digest(settings.analyst_db), _tree(settings.feedback))
    assert after == before
    assert query(
        settings.private_db, "select count(*) from raw.files where file_name = ?", CORRECTED
    ) == [(0,)]


def test_the_flow_and_a_run_context_refuse_another_key_too(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.nightly import nightly

    settings = home.settings
    before = _digest(settings.private_db)
    monkeypatch.setenv("DOORSTEP_PSEUDONYM_KEY", KEY_B)
    with pytest.raises(KeyMismatchError):
        nightly.fn(as_of=AS_OF, home=str(settings.home))  # the flow body, before any task
    # Every step takes the run's context, and no context is built under another key.
    with pytest.raises(KeyMismatchError):
        pipeline.run_context(_with_key(settings, KEY_B))
    assert _digest(settings.private_db) == before


def test_a_warehouse_without_a_fingerprint_is_checked_by_its_person_keys(
    home: Home, tmp_path: Path
) -> None:
    from warehouse.pseudonyms import KeyMismatch, check_key

    old = Path(shutil.copy2(home.settings.private_db, tmp_path / "old.duckdb"))
    con = duckdb.connect(str(old))
    con.execute("drop table raw.pseudonym_key")  # as made before fingerprints existed
    con.close()
    with pytest.raises(KeyMismatch):
        check_key(old, KEY_B.encode())
    check_key(old, KEY_A.encode())


def test_rotation_rekeys_every_person_and_keeps_every_figure(home: Home, tmp_path: Path) -> None:
    settings = home.settings
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(KEY_B + "\n", encoding="utf-8")

    result = _cli(settings, KEY_A, "rekey", "--new-key-file", str(new_key_file))
    assert result.exit_code == 0, result.output
    assert KEY_B not in result.output

    (stored,) = query(settings.private_db, "select fingerprint from raw.pseudonym_key")
    assert stored == (key_fingerprint(KEY_B.encode()),)
    after = query(settings.private_db, KEYS)
    assert [r[:2] for r in after] == [r[:2] for r in home.keys] and after
    assert all(new[2] != old[2] for new, old in zip(after, home.keys, strict=True))
    assert all(r[2] == person_key(r[3], KEY_B.encode()) for r in after)
    heads = query(
        settings.private_db,
        "select c.head_key, s.head_id_number from core.households c "
        "join staging.households s using (return_id, row_number) where c.head_key is not null",
    )
    assert heads and all(k == person_key(i, KEY_B.encode()) for k, i in heads)

    # The old key is now the wrong one; the new key publishes the same figures.
    refused = _cli(settings, KEY_A, "run", "--as-of", "2024-05-31")
    assert refused.exit_code == 2 and "doorstep rekey" in refused.output
    settings_b = _with_key(settings, KEY_B)
    pipeline.figures(pipeline.run_context(settings_b, as_of=AS_OF))
    assert query(settings.analyst_db, FIGURES) == home.figures
    published = {
        r[0] for r in query(settings.analyst_db, "select person_key from marts.placements")
    }
    assert published.isdisjoint({r[2] for r in home.keys})

    # The measured bug cannot happen: the corrected WH return, run under the new key,
    # replaces WH's May and counts nobody twice.
    _night(settings_b)
    assert [r[0] for r in query(settings.analyst_db, F01)] == [192.0]
    current = query(
        settings.analyst_db,
        "select file_name from marts.returns_register where station_code = 'WH' "
        "and period = '2024-05' and is_current",
    )
    assert current == [(CORRECTED,)]


def test_rekey_refuses_a_short_new_key_and_a_wrong_old_key(home: Home, tmp_path: Path) -> None:
    settings = home.settings
    before = _digest(settings.private_db)
    short = tmp_path / "short.key"
    short.write_text("too-short\n", encoding="utf-8")
    result = _cli(settings, KEY_B, "rekey", "--new-key-file", str(short))
    assert result.exit_code == 2 and "too short" in result.output
    fresh = tmp_path / "fresh.key"
    fresh.write_text("x" * 40, encoding="utf-8")
    wrong_old = "not-the-key-of-this-warehouse-0123456789abcdef"
    result = _cli(settings, wrong_old, "rekey", "--new-key-file", str(fresh))
    assert result.exit_code == 2 and "nothing was read or changed" in result.output
    assert _digest(settings.private_db) == before
