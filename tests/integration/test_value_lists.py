"""The short value lists of a return's cells (genders, 是/否, household statuses) are
written once, in foundation/reference/value_lists.csv: relabelled there, in a copy of the
packages, the parser, the ID's gender, the GX suites, the template's dropdowns, F10's
counts and the bulletin's gender columns all follow. Any of them spelling a list in code again keeps the
old words and fails here."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from tests.factories import REPO, copy_packages, run_python
from tests.unit.test_template import dropdowns

pytestmark = pytest.mark.integration


# Each label renamed; the old label kept as an alias, as a bureau rewording would.
RELABELLED = """\
list,code,label,aliases
genders,male,男性,男
genders,female,女性,女
yes_no,yes,享受,是
yes_no,no,不享受,否
household_statuses,uncleared,尚未清零,未清零
household_statuses,cleared,清零完成,已清零
"""
MEN, WOMEN = 41, 37  # the people tables' only counts, so a misplaced column shows

USE_THE_LISTS = """
import dataclasses, json, sys
from pathlib import Path

from doorstep.bulletin import render_bulletin
from doorstep.bulletin.render import bulletin_json
from doorstep.bulletin.tables import disclose
from doorstep.template import write_template
from expectations.suites import households, placements
from foundation.reference import load_reference
from tests.factories import crosstab_rows, figure_row, with_check_digit
from tests.integration.bulletin_context import context
from transforms.idnumbers import gender_from_id
from transforms.values import parse_gender, parse_status, parse_yes_no

out_dir, men, women = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ref = load_reference()
rules = {r.reason_code: r for r in [*placements(ref), *households(ref)]}
write_template(out_dir / "template.xlsx", "XH", "2024-05")

# One station, one category: the fine table stands, no cell hidden.
crosstab = crosstab_rows({("XH", "01", "男性"): men, ("XH", "01", "女性"): women})
base = context()
figs = [r for r in base.figures if r["figure"] != "F02"]
figs.append(figure_row("F02", "ytd", "persons", men + women, None, "01"))
fine = disclose(crosstab, figs)
coarse = {**fine, "level": "category_gender", "category_gender": [
    {"category": "01", "gender": "男性", "persons": str(men)},
    {"category": "01", "gender": "女性", "persons": str(women)},
]}
bulletins = {}
for name, disclosure in (("fine", fine), ("coarse", coarse)):
    ctx = dataclasses.replace(base, figures=figs, disclosure=disclosure)
    render_bulletin(ctx, out_dir / f"{name}.pdf")
    bulletins[name] = json.loads(bulletin_json(ctx))

# F10 on a household register written in the new labels: one uncleared, one cleared in
# 50 days (the figure's own SQL, over a stand-in for the current register).
from datetime import date
from warehouse import Warehouse
from warehouse.figures import _params
from warehouse.sql import fetch_frame
con = Warehouse(out_dir / "private.duckdb").connect()
con.execute(
    "create table register as select * from (values "
    "('尚未清零', date '2024-02-01', null::date), "
    "('清零完成', date '2024-01-10', date '2024-02-29')) "
    "as t(status, identified_on, cleared_on)"
)
con.execute("create or replace macro core.latest_households(a, k) as table from register")
params = _params(date(2024, 5, 31), None, {}, 10, None)
f10 = fetch_frame(con, "figures/f10_zero_employment_households.sql", params)

print(json.dumps({
    "f10": {r["measure"]: r["value"] for r in f10.iter_rows(named=True)},
    "gender": [parse_gender(t) for t in ("男", "女性", "male")],
    "id_gender": [
        gender_from_id(with_check_digit("32070619900101123")),
        gender_from_id(with_check_digit("32070619851231002")),
    ],
    "status": [parse_status(t) for t in ("已清零", "尚未清零")],
    "yes_no": [parse_yes_no(t) for t in ("是", "不享受", "y")],
    "gender_set": rules["GENDER_INVALID"].kwargs["value_set"],
    "status_set": rules["HOUSEHOLD_STATUS_INVALID"].kwargs["value_set"],
    "cleared_when": str(rules["HOUSEHOLD_CLEARED_NO_DATE"].kwargs["row_condition"]),
    "level": fine["level"],
    "genders": bulletins["fine"]["labels"]["genders"],
    "people": bulletins["fine"]["tables"]["people"]["station_category_gender"]["rows"],
}, ensure_ascii=False))
"""


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)


def test_relabelling_a_value_list_in_the_reference_data_reaches_every_use(tmp_path: Path):
    copy = copy_packages(tmp_path / "src")
    (copy / "foundation" / "reference" / "value_lists.csv").write_text(RELABELLED, encoding="utf-8")
    # The copy's packages first; the tests' helpers from the repository.
    script = [textwrap.dedent(USE_THE_LISTS), str(tmp_path), str(MEN), str(WOMEN)]
    done = run_python(["-c", *script], path=[copy, REPO], cwd=tmp_path)
    got = json.loads(done.stdout.strip().splitlines()[-1])

    # The parser reads the new labels and aliases, and only those: `y` was an alias of
    # the package's list, not of this one.
    assert got["gender"] == [["男性", None], ["女性", None], [None, "GENDER_INVALID"]]
    assert got["id_gender"] == ["男性", "女性"]
    assert got["status"] == [["清零完成", None], ["尚未清零", None]]
    assert got["yes_no"] == [[True, None], [False, None], [None, "SUBSIDY_INVALID"]]
    # GX accepts exactly the labels the parser writes.
    assert got["gender_set"] == ["男性", "女性"]
    assert got["status_set"] == ["尚未清零", "清零完成"]
    assert "清零完成" in got["cleared_when"]
    # F10 counts the households by the same labels.
    assert (got["f10"]["uncleared"], got["f10"]["cleared"]) == (1, 1)
    assert got["f10"]["mean_days_to_clear"] == 50

    placements = dropdowns(openpyxl.load_workbook(tmp_path / "template.xlsx")["就业帮扶台账"])
    households = dropdowns(openpyxl.load_workbook(tmp_path / "template.xlsx")["零就业家庭"])
    assert placements["性别"] == ["男性", "女性"]
    assert placements["享受社保补贴"] == ["享受", "不享受"]
    assert households["状态"] == ["尚未清零", "清零完成"]

    # The bulletin heads its gender columns with the labels and fills them by them.
    assert got["level"] == "station_category_gender"
    assert got["genders"] == ["男性", "女性"]
    assert [r["cells"] for r in got["people"]] == [[str(MEN), str(WOMEN)]]
    for name in ("fine", "coarse"):
        text = _text(tmp_path / f"{name}.pdf")
        assert "男性 女性" in text, (name, text)
        assert f"{MEN} {WOMEN}" in text, (name, text)
