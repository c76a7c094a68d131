"""Disclosure control: small counts in fine cross-tabs and the totals that would reveal them."""

import polars as pl

from doorstep.bulletin.disclosure import suppress


def _grid(rows: dict[str, list[int]], cols: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"station": s, "gender": c, "persons": v}
            for s, vals in rows.items()
            for c, v in zip(cols, vals, strict=True)
        ]
    )


def _shown(df: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {(r["station"], r["gender"]): r["persons"] for r in df.to_dicts()}


def test_counts_of_one_to_four_are_starred_zero_and_five_are_not() -> None:
    table = pl.DataFrame(
        {"station": ["XH"] * 6, "gender": list("abcdef"), "persons": [0, 1, 2, 3, 4, 5]}
    )
    out = suppress(table, "persons", "station", "gender")
    # 1–4 primary; the row then has ≥2 stars so no secondary is needed
    assert out["persons"].to_list() == ["0", "*", "*", "*", "*", "5"]


def test_single_small_cell_in_a_row_takes_the_next_smallest_with_it() -> None:
    # Row XH: 3 and 12 (row total 15 would reveal the 3), row XN: 6 and 2.
    out = suppress(
        _grid({"XH": [3, 12], "JH": [8, 9], "XN": [6, 2]}, ["男", "女"]),
        "persons",
        "station",
        "gender",
    )
    assert _shown(out) == {
        ("XH", "男"): "*",
        ("XH", "女"): "*",
        ("JH", "男"): "8",
        ("JH", "女"): "9",
        ("XN", "男"): "*",
        ("XN", "女"): "*",
    }


def test_secondary_suppression_carries_over_from_rows_to_columns() -> None:
    # A1=2 is primary; row A gives up A3 (7, smaller than 10); columns 1 and 3 then
    # each have one star, so B1 and B3 go too; column 2 stays published.
    out = suppress(
        _grid({"A": [2, 10, 7], "B": [5, 6, 30]}, ["c1", "c2", "c3"]),
        "persons",
        "station",
        "gender",
    )
    assert _shown(out) == {
        ("A", "c1"): "*",
        ("A", "c2"): "10",
        ("A", "c3"): "*",
        ("B", "c1"): "*",
        ("B", "c2"): "6",
        ("B", "c3"): "*",
    }


def test_no_row_or_column_total_reveals_a_suppressed_cell() -> None:
    rows = {
        "XH": [1, 9, 14, 30],
        "WH": [7, 6, 22, 0],
        "XF": [12, 40, 3, 11],
        "JH": [25, 16, 18, 13],
        "XN": [0, 2, 0, 8],
        "NF": [6, 5, 5, 19],
    }
    out = suppress(_grid(rows, ["01", "02", "03", "04"]), "persons", "station", "gender")
    for dim in ("station", "gender"):
        stars = out.group_by(dim).agg(pl.col("suppressed").sum())["suppressed"].to_list()
        assert 1 not in stars, f"a {dim} total would reveal its only starred cell"
    assert all(out.filter(pl.col("suppressed"))["persons"] == "*")


def test_nothing_small_means_nothing_suppressed() -> None:
    out = suppress(
        _grid({"XH": [5, 12], "JH": [0, 9]}, ["男", "女"]), "persons", "station", "gender"
    )
    assert out["persons"].to_list() == ["5", "12", "0", "9"]
    assert not out["suppressed"].any()


def test_columns_can_be_a_combination_of_dimensions() -> None:
    table = pl.DataFrame(
        {
            "station": ["XH"] * 4 + ["JH"] * 4,
            "category": ["01", "01", "02", "02"] * 2,
            "gender": ["男", "女"] * 4,
            "persons": [20, 3, 11, 9, 14, 12, 6, 30],
        }
    )
    out = suppress(table, "persons", "station", ["category", "gender"])
    # XH/01/女 = 3 is primary; XH's next smallest (9) goes; then columns 01/女 and
    # 02/女 each hold one star, so JH's 12 and 30 follow; JH now has two stars.
    assert out["persons"].to_list() == ["20", "*", "11", "*", "14", "*", "6", "*"]
