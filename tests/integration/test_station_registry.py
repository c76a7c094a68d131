"""The station registry as data the bureau maintains (returns.md §1, §6): imported from a
CSV into the private database, validated, versioned, and used by the night."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from doorstep import pipeline
from doorstep.demo.generate import set_delivery_time
from doorstep.demo.people import PersonFactory, make_mobile
from doorstep.registry import RegistryError, home_reference, import_stations, registry_versions
from doorstep.returns_xlsx import period_label, write_return_workbook
from foundation.reference import REFERENCE_DIR, load_reference
from foundation.settings import Settings
from tests.factories import query, settings_at

pytestmark = [pytest.mark.integration]

HEADER = "code,name,street,opened_on,kind,aliases,closed_on"
NEW_STATION = "ZY,朝阳社区家门口就业服务站,朐阳街道,2024-01-01,,朝阳社区|朝阳,"
FIRST_IMPORT = datetime(2024, 6, 1, 9, 30)
SECOND_IMPORT = datetime(2024, 6, 2, 10, 15)


def _package_rows() -> list[str]:
    lines = (REFERENCE_DIR / "stations.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [f"{line}," for line in lines]  # no closing dates


def _registry(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def home_settings(tmp_path: Path) -> Settings:
    return settings_at(tmp_path / "home")


def test_an_imported_registry_replaces_the_packages_and_keeps_its_defaults(
    home_settings: Settings, tmp_path: Path
) -> None:
    assert home_reference(home_settings).stations == load_reference().stations
    path = _registry(tmp_path / "stations.csv", *_package_rows(), NEW_STATION)
    assert import_stations(home_settings, path, FIRST_IMPORT) == 1
    stations = home_reference(home_settings).stations
    assert sorted(stations) == sorted([*load_reference().stations, "ZY"])
    new = stations["ZY"]
    # No kind written: a community station, with the sheets that kind reports.
    assert new.kind == "community"
    assert new.sheets == load_reference().stations["XH"].sheets
    assert new.aliases == ("朝阳社区", "朝阳")
    assert new.opened_on == date(2024, 1, 1)
    rows = query(
        home_settings.private_db,
        "select station_code, kind from core.stations where station_code = 'ZY'",
    )
    assert rows == [("ZY", "community")]
    assert query(home_settings.private_db, "select count(*) from core.stations") == [(7,)]


def test_a_bad_registry_is_refused_whole_naming_file_row_and_column(
    home_settings: Settings, tmp_path: Path
) -> None:
    path = _registry(
        tmp_path / "bad.csv",
        *_package_rows(),
        NEW_STATION,
        "YY,云台社区家门口就业服务站,云台街道,2024-02-30,,,",
        "XY,新浦社区家门口就业服务站,新浦街道,2024-02-01,shop,,",
    )
    with pytest.raises(RegistryError) as caught:
        import_stations(home_settings, path, FIRST_IMPORT)
    message = str(caught.value)
    # Header is row 1, six package rows, ZY on row 8: the bad rows are 9 and 10.
    assert "bad.csv: row 9, column opened_on: '2024-02-30'" in message
    assert "bad.csv: row 10, column kind: 'shop'" in message
    assert "nothing imported" in message
    assert registry_versions(home_settings) == []
    assert "ZY" not in home_reference(home_settings).stations

    missing = tmp_path / "no_street.csv"
    missing.write_text("code,name,opened_on\nZY,朝阳,2024-01-01\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"no_street.csv: row 1: missing column\(s\) street"):
        import_stations(home_settings, missing, FIRST_IMPORT)


def test_each_import_is_a_version_and_the_latest_is_in_force(
    home_settings: Settings, tmp_path: Path
) -> None:
    first = _registry(tmp_path / "v1.csv", *_package_rows(), NEW_STATION)
    closing = NEW_STATION.removesuffix(",") + ",2024-04-30"
    second = _registry(tmp_path / "v2.csv", *_package_rows()[:5], closing)
    assert import_stations(home_settings, first, FIRST_IMPORT) == 1
    assert import_stations(home_settings, second, SECOND_IMPORT) == 2
    versions = registry_versions(home_settings)
    assert [
        (v["registry_version"], v["imported_at"], v["file_name"], v["stations"]) for v in versions
    ] == [
        (1, FIRST_IMPORT, "v1.csv", 7),
        (2, SECOND_IMPORT, "v2.csv", 6),
    ]
    stations = home_reference(home_settings).stations
    assert "NF" not in stations  # left out of the second file
    assert stations["ZY"].closed_on == date(2024, 4, 30)
    # The first version stays on record.
    assert query(
        home_settings.private_db,
        "select count(*) from raw.station_registry where registry_version = 1",
    ) == [(7,)]


def _write_return(settings: Settings, code: str, name: str, street: str, persons: int) -> Path:
    rng = random.Random(20240601)
    people = PersonFactory(rng, {"320706": 1})
    rows = []
    for seq in range(1, persons + 1):
        placed = date(2024, 5, 1) + timedelta(days=rng.randint(0, 27))
        p = people.make(placed, ("01",), 0.5)
        rows.append(
            {
                "seq": seq,
                "name": p.name,
                "gender": p.gender,
                "id_number": p.id_number,
                "categories": "低收入人口",
                "disability_cert": None,
                "channel": "单位就业",
                "employer": "连云港海宁食品有限公司",
                "job": "包装工",
                "placed_on": placed,
                "monthly_income": 2100,
                "si_subsidy": "否",
                "phone": p.phone,
                "note": None,
            }
        )
    cover = {
        "station_name": name,
        "station_code": code,
        "street": street,
        "period": period_label("2024-05"),
        "reporter": people.name(False),
        "reporter_phone": make_mobile(rng),
        "filled_on": date(2024, 6, 3),
    }
    sheets = {s: [] for s in ("training", "events", "incubated", "households")}
    path = write_return_workbook(
        settings.inbox / f"{code}_2024-05.xlsx", cover, {"placements": rows, **sheets}
    )
    set_delivery_time(path, datetime(2024, 6, 3, 9, 0))
    return path


def _night(settings: Settings) -> pipeline.LoadSummary:
    ctx = pipeline.run_context(settings, as_of=date(2024, 5, 31))
    summary = pipeline.record(ctx)
    pipeline.figures(ctx)
    return summary


def _station_figure(settings: Settings, station: str) -> list[tuple[object, ...]]:
    return query(
        settings.analyst_db,
        "select measure, value from marts.figures where figure = 'F03' and station = ? "
        "order by measure",
        station,
    )


def test_a_return_from_a_newly_imported_station_is_accepted_and_counted(
    tmp_path: Path,
) -> None:
    # Without the import the station is unknown and its return rejected ...
    before = settings_at(tmp_path / "before")
    _write_return(before, "ZY", "朝阳社区家门口就业服务站", "朐阳街道", 4)
    summary = _night(before)
    assert (summary.returns_rejected, summary.returns_loaded) == (1, 0)

    # ... and with it the same return is accepted and counted like any station's.
    after = settings_at(tmp_path / "after")
    path = _registry(tmp_path / "stations.csv", *_package_rows(), NEW_STATION)
    import_stations(after, path, FIRST_IMPORT)
    _write_return(after, "ZY", "朝阳社区家门口就业服务站", "朐阳街道", 4)
    summary = _night(after)
    assert (summary.returns_loaded, summary.rows_loaded) == (1, 4)
    assert _station_figure(after, "ZY") == [("persons_attributed", 4.0), ("persons_own", 4.0)]
    assert query(
        after.analyst_db,
        "select value from marts.figures where figure = 'F01' and scope = 'ytd'",
    ) == [(4.0,)]
    assert query(
        after.analyst_db, "select name, street from marts.stations where station_code = 'ZY'"
    ) == [("朝阳社区家门口就业服务站", "朐阳街道")]
