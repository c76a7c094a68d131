"""What is waiting in the inbox, as return sources (one file, or one CSV set)."""

from __future__ import annotations

import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from doorstep.ingest.model import ReturnSource
from foundation.reference import Reference, load_reference

# Files a desktop leaves behind; never returns.
_IGNORED = {"thumbs.db", "desktop.ini"}


def csv_member_pattern(ref: Reference) -> re.Pattern[str]:
    """`<stem>_<sheet>.csv`, sheet being one of the `csv` names in sheets.yaml."""
    names = "|".join(re.escape(str(meta["csv"])) for meta in ref.sheets.values())
    return re.compile(rf"^(?P<stem>.+)_(?P<sheet>{names})\.csv$", re.IGNORECASE)


def csv_sheet_of(file_name: str, ref: Reference) -> str | None:
    """The canonical sheet a CSV set member carries, from its name."""
    m = csv_member_pattern(ref).match(file_name)
    if not m:
        return None
    suffix = m.group("sheet").lower()
    return next(
        (key for key, meta in ref.sheets.items() if str(meta["csv"]).lower() == suffix), None
    )


def is_ignored(path: Path) -> bool:
    """Hidden and desktop/office leftovers (`.x`, `..x`, `~$x`, Thumbs.db): never returns."""
    name = path.name
    return name.startswith((".", "~$")) or name.lower() in _IGNORED


@dataclass(frozen=True)
class SetAside:
    """An inbox entry that is not read as a return, with the reason code it is recorded under.

    FILE_IGNORED: hidden or system leftovers. FILE_SYMLINK / FILE_NOT_REGULAR: refused
    unread (a link may point anywhere, e.g. /etc/passwd; a folder or FIFO is no return).
    FILE_NAME_INVALID: a name that is not valid text (not UTF-8), refused unread.
    """

    name: str  # printable: undecodable bytes shown as \xNN
    path: Path
    reason_code: str
    size: int
    mtime: datetime  # the entry's own mtime (UTC, naive), links not followed: information only


def _set_aside_reason(path: Path, mode: int) -> str | None:
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return "FILE_NAME_INVALID"
    if is_ignored(path):
        return "FILE_IGNORED"
    if stat.S_ISLNK(mode):
        return "FILE_SYMLINK"
    if not stat.S_ISREG(mode):
        return "FILE_NOT_REGULAR"
    return None


def _entries(inbox: Path) -> list[tuple[Path, str | None, os.stat_result]]:
    out = []
    for path in sorted(inbox.iterdir()) if inbox.is_dir() else []:
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue  # gone since listed
        out.append((path, _set_aside_reason(path, info.st_mode), info))
    return out


def set_aside(inbox: Path) -> list[SetAside]:
    """Every inbox entry `discover_returns` leaves out, with why (by lstat: links are not
    followed, nothing is opened)."""
    found = []
    for path, reason, info in _entries(inbox):
        if reason is None:
            continue
        name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        found.append(
            SetAside(
                name=name,
                path=path,
                reason_code=reason,
                size=info.st_size if stat.S_ISREG(info.st_mode) else 0,
                mtime=datetime.fromtimestamp(info.st_mtime, tz=UTC).replace(tzinfo=None),
            )
        )
    return found


def discover_returns(inbox: Path, ref: Reference | None = None) -> list[ReturnSource]:
    """Every return in the inbox, sorted by name: CSV sets grouped, other files one each."""
    ref = ref or load_reference()
    pattern = csv_member_pattern(ref)
    singles: list[ReturnSource] = []
    sets: dict[str, list[Path]] = defaultdict(list)
    for path, reason, _ in _entries(inbox):
        if reason is not None:
            continue
        m = pattern.match(path.name)
        if m:
            sets[m.group("stem")].append(path)
        else:
            singles.append(ReturnSource.single(path))
    grouped = [
        ReturnSource(name=f"{stem}_*.csv", paths=tuple(sorted(paths)), is_csv_set=True)
        for stem, paths in sets.items()
    ]
    return sorted([*singles, *grouped], key=lambda s: (s.name, s.paths))
