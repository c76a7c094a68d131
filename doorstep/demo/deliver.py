"""Demo returns delivered into a home, and the demo pseudonym key (`doorstep demo`)."""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import datetime
from itertools import groupby
from pathlib import Path

from foundation.settings import Settings


def ensure_demo_key(settings: Settings) -> bool:
    """Create a random demo pseudonym key under private/ unless one is configured."""
    if settings.pseudonym_key is not None or settings.demo_key_file.exists():
        return False
    from foundation.homecheck import PRIVATE_FILE_MODE, make_private_dir

    make_private_dir(settings.private_dir)
    # Created 0600 from the first byte, whatever the umask.
    fd = os.open(settings.demo_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_hex(32) + "\n")
    return True


def generate_demo(settings: Settings, *, messy: bool = False) -> list[Path]:
    from doorstep.demo import generate_demo_returns, generate_messy_returns

    paths = list(generate_demo_returns(settings.inbox))
    if messy:
        paths.extend(generate_messy_returns(settings.inbox).values())
    return paths


def demo_clock() -> datetime:
    """The demo's run clock (demo_plan.yaml `clock`)."""
    from doorstep.demo import load_plan

    return datetime.strptime(str(load_plan()["clock"]), "%Y-%m-%d %H:%M")


def deliver_demo(settings: Settings, *, messy: bool = False) -> list[Path]:
    """The demo returns delivered as planned: each handed to the delivery step with its
    planned arrival, so history is simulated by the clock, not by file times."""
    from doorstep.demo import generate_demo_deliveries, generate_messy_returns
    from doorstep.steps.receive import receive

    now = demo_clock()
    paths: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="doorstep-demo-") as tmp:
        planned = sorted(generate_demo_deliveries(Path(tmp)), key=lambda p: (p[1], p[0].name))
        for at, group in groupby(planned, key=lambda p: p[1]):
            paths.extend(receive(settings, [p for p, _ in group], at=at, now=now))
    if messy:
        # Dropped straight into the inbox: recorded at the demo night's clock.
        paths.extend(generate_messy_returns(settings.inbox).values())
    return paths
