"""What is waiting in the inbox, as return sources (one file, or one CSV set)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from doorstep.ingest.model import ReturnSource
from doorstep.reference import Reference, load_reference

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
    name = path.name
    return name.startswith((".", "~$")) or name.lower() in _IGNORED or not path.is_file()


def discover_returns(inbox: Path, ref: Reference | None = None) -> list[ReturnSource]:
    """Every return in the inbox, sorted by name: CSV sets grouped, other files one each."""
    ref = ref or load_reference()
    pattern = csv_member_pattern(ref)
    singles: list[ReturnSource] = []
    sets: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(inbox.iterdir()) if inbox.is_dir() else []:
        if is_ignored(path):
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
