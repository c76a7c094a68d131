"""Demo returns and the demo pseudonym key (`doorstep demo`)."""

from __future__ import annotations

import secrets
from pathlib import Path

from doorstep.settings import Settings


def ensure_demo_key(settings: Settings) -> bool:
    """Create a random demo pseudonym key under private/ unless one is configured."""
    if settings.pseudonym_key is not None or settings.demo_key_file.exists():
        return False
    settings.private_dir.mkdir(parents=True, exist_ok=True)
    settings.demo_key_file.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    settings.demo_key_file.chmod(0o600)
    return True


def generate_demo(settings: Settings, *, messy: bool = False) -> list[Path]:
    from doorstep.demo import generate_demo_returns, generate_messy_returns

    paths = list(generate_demo_returns(settings.inbox))
    if messy:
        paths.extend(generate_messy_returns(settings.inbox).values())
    return paths
