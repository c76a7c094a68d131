"""Start-up checks on DOORSTEP_HOME, done in seconds before Prefect or any return is touched.

- The home must be writable: a read-only home otherwise surfaces minutes later as a
  Prefect server time-out.
- `private/` (the personal-data database, the demo key) and `feedback/` (masked rows
  for clerks) are created 0700 whatever the umask, and a private database that other
  local users can read stops the run with the command that fixes it.
"""

from __future__ import annotations

import os
import shlex
import stat
import tempfile
from pathlib import Path

from foundation.settings import Settings, SettingsError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class HomeError(SettingsError):
    """DOORSTEP_HOME cannot be used as it is; the message says what to do."""


def make_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make it 0700, whatever the umask."""
    path.mkdir(parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def check_writable(settings: Settings) -> None:
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".doorstep-write-check-", dir=home)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise HomeError(
            f"DOORSTEP_HOME {home} is not writable ({exc.strerror or exc}); the nightly run "
            "keeps all its state there. Point DOORSTEP_HOME at a writable folder or fix "
            "the mount/permissions."
        ) from None


def check_private(settings: Settings) -> None:
    """Refuse a private database or folder that other local users can open."""
    loose = [
        p
        for p in (settings.private_dir, settings.private_db)
        if p.exists() and stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    if loose:
        modes = ", ".join(f"{p} is {stat.filemode(p.stat().st_mode)}" for p in loose)
        fix = (
            f"chmod 700 {shlex.quote(str(settings.private_dir))} && "
            f"chmod 600 {shlex.quote(str(settings.private_dir))}/*"
        )
        raise HomeError(f"personal data readable by other users: {modes}. Fix with: {fix}")


def prepare_home(settings: Settings) -> None:
    """Everything a run checks before it starts: writable home, private folders closed."""
    check_writable(settings)
    check_private(settings)
    make_private_dir(settings.private_dir)
    make_private_dir(settings.feedback)
