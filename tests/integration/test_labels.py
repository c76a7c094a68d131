"""Scope and register status codes, and the words the bureau may change, live in
reference data: the SQL writes codes, the bulletin and the analyst marts print labels."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

import foundation.reference as reference
from doorstep.bulletin import render_bulletin
from tests.integration.bulletin_context import context
from warehouse.sql import SQL_DIR

pytestmark = pytest.mark.integration

# Every function that reads a file changed below; cleared before and after the test.
CACHED = (reference.scope_labels, reference.return_status_labels, reference.bureau)


def _codes(name: str) -> set[str]:
    with (reference.REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return {row["code"] for row in csv.DictReader(fh)}


def test_every_scope_the_figure_sql_writes_is_a_code_with_a_label() -> None:
    written = {
        m
        for path in (SQL_DIR / "figures").glob("f*.sql")
        for m in re.findall(r"'([^']*)' as scope\b", path.read_text(encoding="utf-8"))
    }
    assert written == _codes("scopes.csv")


def test_every_register_status_the_warehouse_writes_is_a_code_with_a_label() -> None:
    sql = (SQL_DIR / "ddl" / "06_create_core_current_macros.sql").read_text(encoding="utf-8")
    register = sql[sql.index("macro core.returns_register") :]
    written = set(re.findall(r"(?:then|else) '([^']*)'", register))
    assert written == _codes("return_statuses.csv")


def test_catalogue_scopes_are_codes() -> None:
    scopes = _codes("scopes.csv")
    for row in reference.load_reference().definitions:
        assert set(row["scope"].split("|")) <= scopes, row["figure"]


def test_every_detail_the_code_names_is_in_details_yaml() -> None:
    root = Path(reference.__file__).parent.parent
    named = {
        m
        for package in ("doorstep", "expectations", "transforms", "warehouse", "flows")
        for path in (root / package).rglob("*.py")
        for m in re.findall(r"\bdetail(?:_text)?\(\s*\"(\w+)\"", path.read_text(encoding="utf-8"))
    }
    named.add("old_xls")  # doorstep/ingest/reader.py's sniffing table names it
    assert len(named) > 20
    assert named == set(
        yaml.safe_load((reference.REFERENCE_DIR / "details.yaml").read_text(encoding="utf-8"))
    )
    assert (
        reference.detail("file_name_vs_cover", file_name="XH", cover="WH") == "文件名：XH，封面：WH"
    )


@pytest.fixture
def reworded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the reference data where the bureau renamed itself, a scope and two
    statuses, as it would by editing the files."""
    copy = tmp_path / "reference"
    shutil.copytree(reference.REFERENCE_DIR, copy)
    for name, old, new in (
        ("scopes.csv", "since_opening,建站以来", "since_opening,开站至今"),
        ("return_statuses.csv", "late,逾期", "late,迟报"),
        ("return_statuses.csv", "missing,缺报", "missing,未报送"),
        ("bureau.yaml", "海州区人力资源和社会保障局", "海州区就业服务管理中心"),
    ):
        path = copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setattr(reference, "REFERENCE_DIR", copy)
    for fn in CACHED:
        fn.cache_clear()
    yield copy
    for fn in CACHED:
        fn.cache_clear()


def test_the_bulletin_prints_the_labels_of_the_reference_data(
    reworded: Path, tmp_path: Path
) -> None:
    pdf = render_bulletin(context(), tmp_path / "2024-05-31.pdf")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(pdf).pages))
    # The register sentence and table name statuses by their labels.
    assert "收到报送6次（按时4次、迟报1次、重报1次），未报送1份" in text
    assert "文化社区家门口就业服务站迟报2024-06-16" in text
    # The definitions table names F05's two scopes.
    assert "技能培训本年累计/开站至今" in text
    assert "海州区就业服务管理中心" in text
    assert "海州区人力资源和社会保障局" not in text
