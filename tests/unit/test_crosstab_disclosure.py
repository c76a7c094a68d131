"""The bulletin's station × category × gender table goes out with small counts hidden."""

from doorstep.steps.bulletin import _disclosed


def _cell(station: str, category: str, gender: str, persons: int) -> dict:
    return {"station_code": station, "category": category, "gender": gender, "persons": persons}


def test_small_count_and_its_partner_in_the_pair_are_hidden():
    table = [
        _cell("XH", "01", "男", 3),
        _cell("XH", "01", "女", 20),
        _cell("WH", "01", "男", 12),
        _cell("WH", "01", "女", 15),
    ]
    shown = {(r["station_code"], r["gender"]): r["persons"] for r in _disclosed(table)}
    # 3 is primary; 20 would give it away from the XH × 低收入 total; then the district
    # 男 total (3 + 12) would give 3 away, so WH 男 goes too, and WH 女 with it.
    assert shown[("XH", "男")] == "*"
    assert shown[("XH", "女")] == "*"
    assert shown[("WH", "男")] == "*"
    assert shown[("WH", "女")] == "*"


def test_no_small_counts_nothing_hidden():
    table = [_cell("XH", "01", "男", 5), _cell("XH", "01", "女", 6)]
    assert [r["persons"] for r in _disclosed(table)] == ["5", "6"]


def test_zero_is_shown_not_hidden():
    table = [_cell("XH", "02", "男", 0), _cell("XH", "02", "女", 9)]
    assert [r["persons"] for r in _disclosed(table)] == ["0", "9"]
