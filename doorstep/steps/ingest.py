"""The ingest step: every return in the inbox not received before, read in bounded workers."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from doorstep.ingest import Issue, ParsedReturn, ReturnSource, discover_returns
from doorstep.ingest.discover import SetAside, set_aside
from doorstep.progress import track
from doorstep.steps.common import Batch, _logger
from doorstep.steps.receive import read_deliveries
from foundation.context import RunContext
from foundation.faults import fault_point
from foundation.settings import Settings


def _seen_digests(settings: Settings) -> dict[str, set[str]]:
    """sha256 → names of every file received on earlier nights."""
    if not settings.private_db.exists():
        return {}
    from warehouse.db import connect_private, files_seen

    con = connect_private(settings.private_db)
    try:
        return files_seen(con)
    finally:
        con.close()


def _published_known_at(settings: Settings) -> datetime | None:
    if not settings.private_db.exists():
        return None
    from warehouse.db import connect_private, last_known_at

    con = connect_private(settings.private_db)
    try:
        return last_known_at(con)
    finally:
        con.close()


class _Clock:
    """Stamps each return with the time doorstep recorded it (returns.md §6): the arrival
    the delivery log holds for its bytes, else the run's clock — never the file's mtime,
    never later than now, and always after the known-at of anything already published,
    so a published bulletin still reproduces."""

    def __init__(self, settings: Settings, now: datetime) -> None:
        self.now = now
        self.deliveries = read_deliveries(settings)
        self.floor = _published_known_at(settings)

    def arrival(self, source: ReturnSource) -> datetime:
        from doorstep.ingest.reader import file_sha256

        arrivals = []
        for path in source.paths:
            try:
                logged = self.deliveries.get((path.name, file_sha256(path)))
            except OSError:
                logged = None
            if logged is None:
                return self.now
            arrivals.append(logged)
        # A CSV set is complete when its last file arrived.
        return min(max(arrivals), self.now)

    def stamp(self, parsed: ParsedReturn, source: ReturnSource) -> ParsedReturn:
        received = self.arrival(source)
        if self.floor is not None and received <= self.floor:
            received = self.floor + timedelta(seconds=1)
        parsed.received_at = received
        return parsed


def set_aside_id(entry: SetAside) -> str:
    """A stable id for an entry never opened: by its reason and name, never its bytes."""
    return hashlib.sha256(f"{entry.reason_code}:{entry.name}".encode()).hexdigest()


def refused_return(entry: SetAside, received_at: datetime) -> ParsedReturn:
    """A link, folder, FIFO or badly named file: a rejected return nobody read."""
    return ParsedReturn(
        path=entry.path,
        file_name=entry.name,
        sha256=set_aside_id(entry),
        size=entry.size,
        received_at=received_at,
        station_code=None,
        period=None,
        sheets={},
        issues=[Issue(entry.name, None, None, None, entry.reason_code)],
        rejected=True,
        mtime=entry.mtime,
    )


def ingest(ctx: RunContext, *, workers: int | None = None) -> Batch:
    """Read every return in the inbox not loaded before (byte-identical files load once).

    Files are recognised by their sha256 before any parsing: a file loaded on an earlier
    night is skipped unread; of byte-identical files tonight the first delivered (earliest
    arrival, then mtime, then name) is read and the others are recorded as its duplicates. The rest
    are read in worker processes, each bounded by `parse_timeout_seconds`. `ctx.now` is the
    run's clock (Beijing time), which stamps what has no logged arrival.
    """
    from doorstep.ingest import source_digest
    from doorstep.ingest.worker import read_returns, unread_return

    settings, now, ref = ctx.settings, ctx.now, ctx.ref
    logger = _logger()
    sources = discover_returns(settings.inbox, ref)
    seen = _seen_digests(settings)
    clock = _Clock(settings, now)
    returns: list[ParsedReturn] = []
    duplicates: list[ParsedReturn] = []
    ignored: list[SetAside] = []
    by_digest: dict[str, list[ReturnSource]] = {}
    for source in sources:
        digest = source_digest(source, settings)
        if digest not in seen:
            by_digest.setdefault(digest, []).append(source)
        elif source.name not in seen[digest]:
            # A copy, under a new name, of a file loaded on an earlier night: on record
            # as a duplicate, never loaded again.
            duplicates.append(clock.stamp(unread_return(source, digest), source))
    firsts: set[ReturnSource] = set()
    for digest, same in by_digest.items():
        # Copies recorded at the same time: the file's own mtime breaks the tie (it
        # decides only which name is kept, never a received time).
        first, *copies = sorted(
            (clock.stamp(unread_return(s, digest), s) for s in same),
            key=lambda r: (r.received_at, r.mtime or datetime.min, r.file_name),
        )
        firsts.add(next(s for s in same if s.name == first.file_name))
        for copy in copies:
            duplicates.append(copy)
            logger.debug("%s: same bytes as %s, loaded once", copy.file_name, first.file_name)
    to_read = [s for s in sources if s in firsts]  # in name order
    source_of = {s.name: s for s in to_read}
    for entry in set_aside(settings.inbox):
        if entry.reason_code == "FILE_IGNORED":
            ignored.append(entry)
        elif set_aside_id(entry) not in seen:
            # Never opened, so no logged arrival can be matched to its bytes: the run's clock.
            received = now if clock.floor is None else max(now, clock.floor + timedelta(seconds=1))
            returns.append(refused_return(entry, received))
            logger.info("%s: refused unread (%s)", entry.name, entry.reason_code)
    logger.info(
        "Inbox %s: %d returns, %d loaded before (not read), %d duplicates, %d to read",
        settings.inbox,
        len(sources),
        len(sources) - len(to_read) - len(duplicates),
        len(duplicates),
        len(to_read),
    )
    read = read_returns(to_read, ref, settings, workers=workers)
    for i, parsed in enumerate(track(read, "ingest", total=len(to_read)), 1):
        clock.stamp(parsed, source_of[parsed.file_name])
        # A file that changed since it was hashed (still being copied in?) is judged again.
        if parsed.sha256 in seen:
            continue
        if any(parsed.sha256 == r.sha256 for r in returns):
            duplicates.append(parsed)
            continue
        note = (
            "rejected: " + ", ".join(sorted({x.reason_code for x in parsed.issues}))
            if parsed.rejected
            else "read"
        )
        logger.debug("[%d/%d] %s: %s", i, len(to_read), parsed.file_name, note)
        returns.append(parsed)
    fault_point("ingest:after_read")
    return Batch(ctx.run_name, tuple(returns), tuple(duplicates), tuple(ignored))
