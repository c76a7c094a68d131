"""Fictional people for the demo returns: names, GB 11643 ID numbers, certificates, phones.

Everything is drawn from one `random.Random`, so the same seed gives the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from stdnum.cn import ric

DEMO_DIR = Path(str(files("doorstep") / "demo"))


@cache
def load_pools() -> dict[str, Any]:
    return dict(yaml.safe_load((DEMO_DIR / "names.yaml").read_text(encoding="utf-8")))


def id_check_char(body17: str) -> str:
    """GB 11643 check character of the first 17 digits."""
    # stdnum's calc_check_digit expects the number with a check position attached.
    return str(ric.calc_check_digit(body17 + "0"))


def make_id_number(rng: random.Random, region: str, birth: date, male: bool) -> str:
    # The 17th digit is odd for men and even for women.
    order = f"{rng.randint(0, 99):02d}{rng.choice('13579' if male else '02468')}"
    body = f"{region}{birth:%Y%m%d}{order}"
    return body + id_check_char(body)


def wrong_check_char(id_number: str) -> str:
    """The same ID with a check character that GB 11643 rejects."""
    good = id_number[-1]
    bad = "0123456789X"[("0123456789X".index(good) + 3) % 11]
    return id_number[:-1] + bad


def make_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


@dataclass(frozen=True)
class Person:
    name: str
    male: bool
    id_number: str
    birth: date
    phone: str
    categories: tuple[str, ...]  # category codes, primary first
    disability_cert: str | None

    @property
    def gender(self) -> str:
        return "男" if self.male else "女"


class PersonFactory:
    """Makes unique fictional persons; never repeats an ID number within one factory."""

    def __init__(self, rng: random.Random, regions: dict[str, int]) -> None:
        self.rng = rng
        self.pools = load_pools()
        self.regions = list(regions)
        self.region_weights = list(regions.values())
        self.used: set[str] = set()

    def name(self, male: bool) -> str:
        given = self.pools["given_male" if male else "given_female"]
        return str(self.rng.choice(self.pools["surnames"])) + str(self.rng.choice(given))

    def birth_date(self, on: date, min_age: int, max_age: int) -> date:
        # Born in a year that makes the person min_age..max_age years old on `on`.
        year = self.rng.randint(on.year - max_age, on.year - min_age - 1)
        return date(year, 1, 1) + timedelta(days=self.rng.randint(0, 364))

    def make(self, on: date, categories: tuple[str, ...], female_share: float) -> Person:
        male = self.rng.random() >= female_share
        if "05" in categories:  # 大龄失业人员: women 40+, men 50+
            min_age, max_age = (50, 59) if male else (40, 55)
        else:
            min_age, max_age = 18, 60
        while True:
            birth = self.birth_date(on, min_age, max_age)
            region = self.rng.choices(self.regions, weights=self.region_weights)[0]
            id_number = make_id_number(self.rng, region, birth, male)
            if id_number not in self.used:
                break
        self.used.add(id_number)
        cert = None
        if "02" in categories:
            # 残疾人证号 = ID number + disability type (1–7) + grade (1–4).
            cert = f"{id_number}{self.rng.randint(1, 7)}{self.rng.randint(1, 4)}"
        return Person(
            name=self.name(male),
            male=male,
            id_number=id_number,
            birth=birth,
            phone=make_mobile(self.rng),
            categories=categories,
            disability_cert=cert,
        )
