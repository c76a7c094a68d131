"""Step 1, ingest: every return in the inbox not received before, read in bounded workers."""

from __future__ import annotations

from datetime import datetime

from doorstep.ingest import discover_returns
from doorstep.reference import load_reference
from doorstep.settings import Settings
from doorstep.steps.common import Batch, _logger


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


def ingest(settings: Settings, *, workers: int | None = None) -> Batch:
    """Read every return in the inbox not loaded before (byte-identical files load once).

    Files are recognised by their sha256 before any parsing: a file loaded on an earlier
    night is skipped unread; of byte-identical files tonight the first delivered (earliest
    mtime, then name) is read and the others are recorded as its duplicates. The rest are
    read in worker processes, each bounded by `parse_timeout_seconds`.
    """
    from doorstep.ingest import ReturnSource, source_digest
    from doorstep.ingest.worker import read_returns, unread_return

    ref = load_reference()
    logger = _logger()
    sources = discover_returns(settings.inbox, ref)
    seen = _seen_digests(settings)
    batch = Batch(run_name=datetime.now().strftime("%Y%m%dT%H%M%S"))
    by_digest: dict[str, list[ReturnSource]] = {}
    for source in sources:
        digest = source_digest(source, settings)
        if digest not in seen:
            by_digest.setdefault(digest, []).append(source)
        elif source.name not in seen[digest]:
            # A copy, under a new name, of a file loaded on an earlier night: on record
            # as a duplicate, never loaded again.
            batch.duplicates.append(unread_return(source, digest))
    firsts: set[ReturnSource] = set()
    for digest, same in by_digest.items():
        first, *copies = sorted(
            (unread_return(s, digest) for s in same), key=lambda r: (r.received_at, r.file_name)
        )
        firsts.add(next(s for s in same if s.name == first.file_name))
        for copy in copies:
            batch.duplicates.append(copy)
            logger.info("%s: same bytes as %s, loaded once", copy.file_name, first.file_name)
    to_read = [s for s in sources if s in firsts]  # in name order
    logger.info(
        "Inbox %s: %d returns, %d loaded before (not read), %d duplicates, %d to read",
        settings.inbox,
        len(sources),
        len(sources) - len(to_read) - len(batch.duplicates),
        len(batch.duplicates),
        len(to_read),
    )
    for i, parsed in enumerate(read_returns(to_read, ref, settings, workers=workers), 1):
        # A file that changed since it was hashed (still being copied in?) is judged again.
        if parsed.sha256 in seen:
            continue
        if any(parsed.sha256 == r.sha256 for r in batch.returns):
            batch.duplicates.append(parsed)
            continue
        note = (
            "rejected: " + ", ".join(sorted({x.reason_code for x in parsed.issues}))
            if parsed.rejected
            else "read"
        )
        logger.info("[%d/%d] %s: %s", i, len(to_read), parsed.file_name, note)
        batch.returns.append(parsed)
    return batch
