"""Synthetic monthly returns of the six stations, calibrated to the source article.

What goes into the returns is in `demo_plan.yaml`; this module only turns the plan into
workbooks. One `random.Random(seed)` drives everything, so the same seed gives the same
bytes and the same planned arrival times.
"""

from __future__ import annotations

import calendar
import os
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from doorstep.demo.people import (
    DEMO_DIR,
    Person,
    PersonFactory,
    load_pools,
    make_mobile,
    wrong_check_char,
)
from doorstep.returns_xlsx import period_label, write_return_workbook
from foundation.reference import Reference, load_reference

DEFAULT_SEED = 20240531
Row = dict[str, object]


@cache
def load_plan() -> dict[str, Any]:
    return dict(yaml.safe_load((DEMO_DIR / "demo_plan.yaml").read_text(encoding="utf-8")))


def month_range(first: str, last: str) -> list[str]:
    y, m = (int(p) for p in first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_days(period: str) -> tuple[date, date]:
    y, m = (int(p) for p in period.split("-"))
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def next_month(period: str) -> str:
    y, m = (int(p) for p in period.split("-"))
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def set_delivery_time(path: Path, when: datetime) -> None:
    """Set the file's mtime to `when` read as UTC (information only: the pipeline's
    received time is the arrival the delivery step logs)."""
    ts = calendar.timegm(when.timetuple())
    os.utime(path, (ts, ts))


@dataclass
class StationMonth:
    station: str
    period: str
    sheets: dict[str, list[Row]] = field(default_factory=dict)


class _Builder:
    def __init__(self, plan: dict[str, Any], ref: Reference, seed: int) -> None:
        self.plan = plan
        self.ref = ref
        self.rng = random.Random(seed)
        self.factory = PersonFactory(self.rng, plan["regions"])
        self.pools = load_pools()
        self.placed: dict[tuple[str, str], list[Person]] = {}
        self.heads: dict[str, Person] = {}
        self.reporters = {
            code: (self.factory.name(self.rng.random() < 0.5), make_mobile(self.rng))
            for code in ref.stations
        }

    # -- people and placement rows ------------------------------------------------------
    def _weighted(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _categories(self, station: str, disabled: bool) -> tuple[str, ...]:
        prof = self.plan["profiles"][station]
        primary = "02" if disabled else self._weighted(prof["categories"])
        if self.rng.random() < prof["second_category"]:
            others = [c for c in prof["categories"] if c != primary]
            if others:
                return (primary, self.rng.choice(others))
        return (primary,)

    def _channel_text(self, station: str, code: str) -> str:
        if self.plan["profiles"][station]["channel_style"] == "code":
            return code
        return self.ref.channels[code].label

    def _placement(self, station: str, person: Person, placed_on: date, channel: str) -> Row:
        employer, job = self.rng.choice(self.pools["workplaces"][channel])
        low, high = self.plan["income"][channel]
        income = round(self.rng.randint(low, high), -1)
        subsidy = channel == "30" or self.rng.random() < self.plan["subsidy_share"]
        return {
            "name": person.name,
            "gender": person.gender,
            "id_number": person.id_number,
            "categories": "、".join(self.ref.categories[c].label for c in person.categories),
            "disability_cert": person.disability_cert,
            "channel": self._channel_text(station, channel),
            "employer": employer,
            "job": job,
            "placed_on": placed_on,
            "monthly_income": income,
            "si_subsidy": "是" if subsidy else "否",
            "phone": person.phone,
            "note": None,
        }

    def _day_in(self, period: str) -> date:
        first, last = month_days(period)
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def _new_person_row(
        self, station: str, period: str, disabled: bool, placed_in: str | None = None
    ) -> tuple[Person, Row]:
        prof = self.plan["profiles"][station]
        placed_on = self._day_in(placed_in or period)
        person = self.factory.make(placed_on, self._categories(station, disabled), prof["female"])
        return person, self._placement(station, person, placed_on, self._weighted(prof["channels"]))

    def placements(self, station: str, period: str) -> list[Row]:
        year, month = period.split("-")
        n = self.plan["placements"].get(station, {}).get(year, [0] * 12)[int(month) - 1]
        n_disabled = (
            self.plan.get("disabled", {}).get(station, {}).get(year, [0] * 12)[int(month) - 1]
        )
        rows: list[Row] = []
        new_people: list[Person] = []
        for i in range(n):
            person, row = self._new_person_row(station, period, disabled=i < n_disabled)
            new_people.append(person)
            rows.append(row)
        self.placed[(station, period)] = new_people
        for item in self._items("late_reports", station, period):
            for _ in range(item["count"]):
                rows.append(
                    self._new_person_row(station, period, False, placed_in=item["placed_in"])[1]
                )
        for item in self._items("repeats", station, period):
            pool = [
                p
                for p in self.placed[(item["from_station"], item["from_period"])]
                if p.id_number not in {r["id_number"] for r in rows}
            ]
            for person in self.rng.sample(pool, item["count"]):
                row = self._placement(
                    station,
                    person,
                    self._day_in(period),
                    self._weighted(self.plan["profiles"][station]["channels"]),
                )
                row["note"] = "再次就业"
                rows.append(row)
        for item in self._items("bad_rows", station, period):
            rows.append(self._bad_row(station, period, item["kind"]))
        self.rng.shuffle(rows)
        return [{"seq": i, **row} for i, row in enumerate(rows, start=1)]

    def _bad_row(self, station: str, period: str, kind: str) -> Row:
        _, row = self._new_person_row(station, period, disabled=False)
        if kind == "gender_mismatch":
            row["gender"] = "女" if row["gender"] == "男" else "男"
        elif kind == "id_bad_checksum":
            row["id_number"] = wrong_check_char(str(row["id_number"]))
        elif kind == "income_approximate":
            row["monthly_income"] = "1500多"
        elif kind == "placed_after_period":
            row["placed_on"] = month_days(next_month(period))[0] + timedelta(days=1)
        else:
            raise ValueError(f"unknown bad row kind in demo plan: {kind}")
        return row

    def _items(self, key: str, station: str, period: str) -> list[dict[str, Any]]:
        return [
            i
            for i in self.plan.get(key) or []
            if i["station"] == station and str(i["period"]) == period
        ]

    # -- the other sheets ------------------------------------------------------------------
    def training(self, station: str, period: str) -> list[Row]:
        return [
            {
                "project": t["project"],
                "training_type": t["type"],
                "start_on": t["start_on"],
                "end_on": t["end_on"],
                "trainees": t["trainees"],
                "completed": t["completed"],
                "employed_after": t["employed_after"],
                "partner": t["partner"],
                "note": None,
            }
            for t in self._items("training", station, period)
        ]

    def events(self, station: str, period: str) -> list[Row]:
        return [
            {
                "event_name": e["name"],
                "event_type": e["type"],
                "held_on": e["held_on"],
                "attendees": e["attendees"],
                "venue": e["venue"],
            }
            for e in self._items("events", station, period)
        ]

    def incubated(self, station: str, period: str) -> list[Row]:
        year = period[:4]
        return [
            {
                "company": b["company"],
                "credit_code": b["credit_code"],
                "incubated_on": b["incubated_on"],
                "jobs": b["jobs"][year],
                "hardship_jobs": b["hardship_jobs"][year],
            }
            for b in self.plan.get("incubated") or []
            if b["station"] == station and f"{b['incubated_on']:%Y-%m}" <= period
        ]

    def households(self, station: str, period: str) -> list[Row]:
        # The sheet is a register (a month-end stock): a household stays on it, cleared,
        # in every later return of its station.
        rows: list[Row] = []
        for h in self.plan.get("households") or []:
            if h["station"] != station or str(h["period"]) > period:
                continue
            if h["household_id"] not in self.heads:
                self.heads[h["household_id"]] = self.factory.make(h["identified_on"], ("04",), 0.5)
            head = self.heads[h["household_id"]]
            rows.append(
                {
                    "household_id": h["household_id"],
                    "head_name": head.name,
                    "head_id_number": head.id_number,
                    "members": h["members"],
                    "labour": h["labour"],
                    "identified_on": h["identified_on"],
                    "status": "已清零",
                    "cleared_on": h["cleared_on"],
                    "cleared_channel": h["cleared_channel"],
                }
            )
        return rows

    def station_month(self, station: str, period: str) -> StationMonth:
        sm = StationMonth(station, period)
        for sheet in self.ref.stations[station].sheets:
            sm.sheets[sheet] = getattr(self, sheet)(station, period)
        return sm

    def cover(self, station: str, period: str, filled_on: date) -> dict[str, object]:
        st = self.ref.stations[station]
        reporter, phone = self.reporters[station]
        return {
            "station_name": st.name,
            "station_code": st.code,
            "street": st.street,
            "period": period_label(period),
            "reporter": reporter,
            "reporter_phone": phone,
            "filled_on": filled_on,
        }


def _delivery(plan: dict[str, Any], station: str, period: str) -> datetime:
    for late in plan.get("late_returns") or []:
        if late["station"] == station and str(late["period"]) == period:
            return datetime.strptime(late["delivered"], "%Y-%m-%d %H:%M")
    d = plan["delivery"]
    first = month_days(next_month(period))[0]
    return datetime(first.year, first.month, d["day"], d["hour"], d["minute"])


def _skipped(plan: dict[str, Any], ref: Reference, station: str, period: str) -> bool:
    missing = {(m["station"], str(m["period"])) for m in plan.get("missing_returns") or []}
    return period < f"{ref.stations[station].opened_on:%Y-%m}" or (station, period) in missing


def _corrected(
    builder: _Builder, station: str, rows: list[Row], changes: list[dict[str, Any]]
) -> list[Row]:
    out = [dict(r) for r in rows]
    for change in changes:
        row = next(r for r in out if r["seq"] == change["seq"])
        for key, value in change.items():
            if key == "seq":
                continue
            row[key] = builder._channel_text(station, str(value)) if key == "channel" else value
    return out


def build_demo_returns(
    seed: int = DEFAULT_SEED,
) -> list[tuple[str, dict[str, object], StationMonth, datetime]]:
    """The demo returns in memory: (file name, cover, content, delivery time), in plan order."""
    plan, ref = load_plan(), load_reference()
    builder = _Builder(plan, ref, seed)
    out = []
    for period in month_range(str(plan["first_period"]), str(plan["last_period"])):
        for station in ref.stations:
            if _skipped(plan, ref, station, period):
                counts = plan["placements"].get(station, {}).get(period[:4], [0] * 12)
                if counts[int(period[5:]) - 1]:
                    raise ValueError(
                        f"demo plan places people in {station} {period}, which sends no return"
                    )
                continue
            sm = builder.station_month(station, period)
            delivered = _delivery(plan, station, period)
            out.append(
                (
                    f"{station}_{period}.xlsx",
                    builder.cover(station, period, delivered.date()),
                    sm,
                    delivered,
                )
            )
            for resub in builder._items("resubmissions", station, period):
                when = datetime.strptime(resub["delivered"], "%Y-%m-%d %H:%M")
                fixed = StationMonth(station, period, dict(sm.sheets))
                fixed.sheets["placements"] = _corrected(
                    builder, station, sm.sheets["placements"], resub["changes"]
                )
                out.append(
                    (
                        f"{station}_{period}_{resub['suffix']}.xlsx",
                        builder.cover(station, period, when.date()),
                        fixed,
                        when,
                    )
                )
    return out


def generate_demo_deliveries(folder: Path, seed: int = DEFAULT_SEED) -> list[tuple[Path, datetime]]:
    """Write the calibrated demo returns into `folder` as `<code>_<YYYY-MM>.xlsx`, each
    with its planned arrival (Beijing time), for the delivery step to record
    (`doorstep receive --at`). The file's mtime is set to the same time, as a station's
    clerk would have saved it; the pipeline never reads it as the received time."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, cover, sm, delivered in build_demo_returns(seed):
        path = write_return_workbook(folder / name, cover, sm.sheets)
        set_delivery_time(path, delivered)
        out.append((path, delivered))
    return sorted(out)


def generate_demo_returns(inbox: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the calibrated demo returns into `inbox` (see generate_demo_deliveries)."""
    return [path for path, _ in generate_demo_deliveries(inbox, seed)]
