"""The bureau's delivery step (`doorstep receive`): a return put into the inbox with the
time it arrived written down by doorstep, in a log the sender cannot touch.

The received time of a return is a time the sender cannot set (returns.md §6): the
arrival this log records, or else the run's clock when the nightly ingest first sees
the bytes. A file's modification time is never used: copying, unzipping and syncing
keep or invent it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from doorstep.ingest.reader import file_sha256
from doorstep.steps.common import _logger
from foundation.settings import Settings


def log_warning(message: str, *args: object) -> None:
    _logger().warning(message, *args)


class DeliveryError(ValueError):
    """A delivery that cannot be recorded as asked (named file, reason)."""


def deliveries_log(settings: Settings) -> Path:
    return settings.private_dir / "deliveries.jsonl"


def receive(settings: Settings, paths: list[Path], *, at: datetime, now: datetime) -> list[Path]:
    """Copy each file into the inbox and log its arrival at `at` (Beijing time).

    `at` may be earlier than `now` (a delivery entered after the fact, a backfill) but
    never later. A file already in the inbox with other bytes under the same name is
    refused: a correction comes under a name of its own.
    """
    if at > now:
        raise DeliveryError(f"--at {at:%Y-%m-%d %H:%M} is later than now ({now:%Y-%m-%d %H:%M})")
    settings.inbox.mkdir(parents=True, exist_ok=True)
    from foundation.homecheck import make_private_dir

    make_private_dir(settings.private_dir)  # the delivery log lives with the private data
    planned: list[tuple[Path, Path, str]] = []
    for path in paths:
        if not path.is_file():
            raise DeliveryError(f"{path}: no such file")
        digest = file_sha256(path)
        target = settings.inbox / path.name
        if target.exists() and file_sha256(target) != digest:
            raise DeliveryError(
                f"{path.name}: the inbox already has another file of this name; "
                "deliver a correction under a name of its own (e.g. XH_2024-05_更正.xlsx)"
            )
        planned.append((path, target, digest))
    log = deliveries_log(settings)
    delivered = []
    for path, target, digest in planned:
        # Logged before the file appears in the inbox, so a nightly run never sees a
        # delivered file without its arrival time.
        line = json.dumps(
            {"file_name": path.name, "sha256": digest, "arrived_at": at.isoformat(sep=" ")},
            ensure_ascii=False,
        )
        with log.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if not target.exists():
            # Copied under a dot name (ignored by ingest), then renamed into place.
            fd, tmp = tempfile.mkstemp(dir=settings.inbox, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            try:
                shutil.copy2(path, tmp)  # the mtime as sent: information only
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        delivered.append(target)
    return delivered


def read_deliveries(settings: Settings) -> dict[tuple[str, str], datetime]:
    """(file name, sha256) → the earliest arrival logged for those bytes under that name."""
    log = deliveries_log(settings)
    if not log.exists():
        return {}
    out: dict[tuple[str, str], datetime] = {}
    for number, line in enumerate(log.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            key = (str(entry["file_name"]), str(entry["sha256"]))
            arrived = datetime.fromisoformat(entry["arrived_at"])
        except (ValueError, KeyError, TypeError):
            # A line cut short by a crash while it was written: that file has no logged
            # arrival, so the night that first sees it stamps it with its own clock.
            log_warning("%s: line %d is not a delivery record, ignored", log.name, number)
            continue
        if key not in out or arrived < out[key]:
            out[key] = arrived
    return out
