"""Narrative idioms: how the bulletin's sentences write numbers.

Official Chinese news rounds figures in fixed idioms (近200名, 30余人, 1500多元, 2.4万).
The rules are the bureau's (spec: "Approximate numbers in the narrative"); the words
are in ``idioms.yaml``. Every function here is pure, and each applies at most one
approximation, so an idiom is never stacked on another (no 约…多, no 近…余).

Rules, precisely:

* ``approx_persons``: 近N名 when N is the next multiple of 100 above the value and the
  value is at most 15 below it (185–199 → 近200名; 184 and 200 are exact). Then the
  余 bands the bureau uses (11–19 → 10余人, 31–39 → 30余人). Anything else is exact
  (23名): an exact number is never wrong, an idiom the bureau does not use would be.
* ``approx_things``: 11–19 → 10多个 (the article's "10多个就业岗位"); else exact.
* ``approx_yuan``: rounded to whole yuan first (half up), then 10–99 yuan above a round
  hundred → N00多元 (1510–1599 → 1500多元); 万 amounts are 1.6万元, never with 多.
* ``wan``: five digits or more → one decimal of 万, trailing .0 dropped (24000 → 2.4万).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

IDIOMS_PATH = Path(__file__).with_name("idioms.yaml")
WAN = 10_000


@cache
def _idioms() -> dict[str, Any]:
    return dict(yaml.safe_load(IDIOMS_PATH.read_text(encoding="utf-8")))


def _round_half_up(x: float | Fraction | int, places: int = 0) -> Decimal:
    # float → Decimal through repr so 1509.5 stays 1509.5; Fractions divide exactly.
    if isinstance(x, Fraction):
        d = Decimal(x.numerator) / Decimal(x.denominator)
    else:
        d = Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _plain(d: Decimal) -> str:
    """Decimal without exponent or trailing zeros after the point."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def wan(n: float) -> str:
    """Write five-digit-or-more values in 万 with one decimal: 24000 → 2.4万, 10000 → 1万."""
    if abs(n) < WAN:
        return _plain(_round_half_up(n))
    tenths = _round_half_up(Fraction(Decimal(repr(float(n)))) / WAN, 1)
    return _idioms()["wan"].format(n=_plain(tenths))


def _band(n: int, bands: Iterable[dict[str, Any]]) -> str | None:
    for band in bands:
        if band["low"] <= n <= band["high"]:
            return str(band["text"])
    return None


def _near(n: int) -> str | None:
    rule = _idioms()["persons"]["near"]
    step, max_gap = int(rule["step"]), int(rule["max_gap"])
    if n < step - max_gap:
        return None
    round_n = (n // step + 1) * step
    if round_n - n > max_gap:
        return None
    # 近2.44万 would be 近 on top of a 万 rounding: only whole thousands read as a round 万 value.
    if round_n >= WAN and round_n % 1000:
        return None
    return str(rule["text"]).format(round=wan(round_n))


def approx_persons(n: int) -> str:
    """Narrative form of a head count: 近200名, 30余人, 10余人, 2.4万名, else exact 23名."""
    rules = _idioms()["persons"]
    n = int(n)
    if n % 100 and (near := _near(n)):
        return near
    if n < WAN and (band := _band(n, rules["bands"])):
        return band
    return str(rules["exact"]).format(n=wan(n))


def approx_things(n: int) -> str:
    """Narrative form of a count of things (jobs, businesses): 10多个, else exact 8个."""
    rules = _idioms()["things"]
    n = int(n)
    if band := _band(n, rules["bands"]):
        return band
    return str(rules["exact"]).format(n=wan(n))


def approx_yuan(x: float) -> str:
    """Narrative form of an amount in yuan: 1500多元, 1600元, 1.6万元."""
    rules = _idioms()["yuan"]
    whole = int(_round_half_up(x))
    if whole >= WAN:
        return str(rules["exact"]).format(n=wan(whole))
    hundreds = whole // 100 * 100
    if hundreds >= 100 and 10 <= whole - hundreds <= 99:
        return str(rules["over_hundred"]).format(hundreds=hundreds)
    return str(rules["exact"]).format(n=whole)


def _stored(value: float, places: int = 2) -> str:
    """A stored figure value written with its decimals: the value, not a new rounding
    (the SQL stores every rate already rounded, see core.round_ratio)."""
    return format(_round_half_up(float(value), places), "f")


def progress_line(months: int, persons: int, completion: float | None, ahead: float | None) -> str:
    """The bureau's progress line.

    E.g. 1至5月，实现就业困难人员就业192人，完成全年目标的6.40%，慢序时35.27个百分点.

    ``months`` is the last month of the span written (1至{months}月). ``completion`` (P)
    and ``ahead`` (Q, negative = behind) are F09's stored ``completion_rate`` and
    ``ahead_pp``, written as stored: the number printed is the number in the warehouse.
    Without a target (``completion`` None) the line stops after the persons.
    """
    rules = _idioms()["progress"]
    span = (
        str(rules["span_single"]).format(last=months)
        if months == 1
        else str(rules["span"]).format(last=months)
    )
    if completion is None or ahead is None:
        return str(rules["line_no_target"]).format(span=span, persons=persons)
    if _stored(ahead) in ("0.00", "-0.00"):
        pace = str(rules["level"])
    else:
        key = "ahead" if ahead > 0 else "behind"
        pace = str(rules[key]).format(pp=_stored(abs(ahead)))
    return str(rules["line"]).format(
        span=span, persons=persons, completion=_stored(completion), pace=pace
    )


def _as_of_month(value: date | datetime | str) -> int:
    if isinstance(value, str):
        return date.fromisoformat(value[:10]).month
    return value.month


def _count(value: float | int | None) -> int | None:
    return None if value is None else int(_round_half_up(value))


def _narrative(row: dict[str, Any], f09: dict[tuple[Any, Any], dict[str, Any]]) -> str | None:
    figure, measure = row.get("figure"), row.get("measure")
    station, category = row.get("station"), row.get("category")
    n = _count(row.get("value"))
    if n is None:
        return None
    if figure == "F01" and measure == "persons" and row.get("scope") == "ytd":
        return approx_persons(n) if station is None and category is None else None
    if figure == "F03" and measure == "persons_own" and station is not None:
        return approx_persons(n)
    if figure == "F04" and measure == "disabled_persons" and station is not None:
        return approx_persons(n)
    if figure == "F05" and measure == "employed_after" and category is not None:
        return approx_persons(n)
    if figure == "F06" and measure in ("jobs", "hardship_jobs") and category is not None:
        return approx_things(n)
    if figure == "F11" and measure == "median_income" and category is None:
        return approx_yuan(float(row["value"]))
    if figure == "F09" and measure == "ahead_pp":
        siblings = f09.get((row.get("as_of"), row.get("known_at")), {})
        persons = _count(siblings.get("persons"))
        if persons is None:
            return None
        month = _as_of_month(row["as_of"])
        return progress_line(month, persons, siblings.get("completion_rate"), row["value"])
    return None


def fill_texts(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of Contract 5 figure rows, ``text`` filled where a figure has a narrative form.

    Filled: F01 district 本年累计 persons, F04 disabled persons per station, F05 employed_after per
    project, F06 jobs and hardship_jobs per business, F11 district median income, and
    the F09 progress line on the ``ahead_pp`` row (its value, and its sibling
    ``persons`` and ``completion_rate`` rows of the same as_of/known_at, as stored). Other rows keep their
    text (F13 status labels come from SQL).
    """
    f09: dict[tuple[Any, Any], dict[str, Any]] = {}
    for row in figures:
        if row.get("figure") == "F09" and row.get("station") is None:
            f09.setdefault((row.get("as_of"), row.get("known_at")), {})[row["measure"]] = row.get(
                "value"
            )
    out = []
    for row in figures:
        text = _narrative(row, f09)
        out.append({**row, "text": text} if text is not None else dict(row))
    return out
