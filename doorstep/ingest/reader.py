"""`read_return`: one return source → a ParsedReturn (Contract 1). Never raises for bad input."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from doorstep.ingest.cover import resolve_cover
from doorstep.ingest.csvfiles import csv_grid, decode_csv
from doorstep.ingest.discover import csv_sheet_of
from doorstep.ingest.grid import Grid, sheet_frame
from doorstep.ingest.model import Issue, ParsedReturn, ReturnSource
from doorstep.ingest.sheets import assign_by_content, match_sheet_names, sheet_key_by_content
from doorstep.ingest.sniff import Kind, sniff
from doorstep.ingest.xlsx import WorkbookProblem, open_workbook
from foundation.reference import Reference
from foundation.reference import detail as detail_text
from foundation.settings import Settings

_SNIFF_REASONS = {
    Kind.EMPTY: ("FILE_EMPTY", ""),
    Kind.XLS: ("FILE_XLS_OLD_FORMAT", "old_xls"),  # a details.yaml key
    Kind.ENCRYPTED: ("FILE_ENCRYPTED", ""),
    Kind.OTHER: ("FILE_NOT_SPREADSHEET", ""),
}


@dataclass
class _Loaded:
    """Sheets of one return as grids, before they become frames."""

    grids: dict[str, Grid] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    rejected: bool = False


def file_mtime(path: Path) -> datetime:
    """The file's modification time (UTC, naive): information only, since copying and
    unzipping keep or invent it; the received time comes from the run's clock."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)


def file_sha256(path: Path) -> str:
    """sha256 of one file's bytes, streamed (any size)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def return_digest(source: ReturnSource, member_digests: Sequence[str]) -> str:
    """The return id from its files' sha256: the file's own, or for a CSV set the sha256 of
    the sorted `name:digest` lines. The one formula `read_return` and `source_digest` use."""
    if not source.is_csv_set:
        return member_digests[0]
    joined = "\n".join(
        f"{p.name}:{d}" for p, d in sorted(zip(source.paths, member_digests, strict=True))
    )
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def unreadable_digest(source: ReturnSource) -> str:
    """A return id all the same for a source whose files cannot be read, distinct per name."""
    return hashlib.sha256(f"unreadable:{source.name}".encode()).hexdigest()


def source_digest(source: ReturnSource, settings: Settings) -> str:
    """The sha256 `read_return` gives this source, streamed without parsing (any size:
    oversized files are hashed the same way), to skip files loaded before."""
    del settings  # every file is streamed; the limits do not change the digest
    try:
        return return_digest(source, [file_sha256(p) for p in source.paths])
    except OSError:
        return unreadable_digest(source)


def read_return(source: ReturnSource | Path, ref: Reference, settings: Settings) -> ParsedReturn:
    """Read one return. Problems become Issues; `rejected` when the file cannot be used."""
    if isinstance(source, Path):
        source = ReturnSource.single(source)
    parsed = ParsedReturn(
        path=source.paths[0],
        file_name=source.name,
        sha256="",
        size=0,
        received_at=datetime(1970, 1, 1),
        station_code=None,
        period=None,
        sheets={},
        issues=[],
        rejected=False,
    )
    try:
        _fill(parsed, source, ref, settings)
    except Exception as exc:
        # A reader bug or an unreadable file must not stop the night's batch. Only the
        # exception type is kept: messages from the readers can quote cell values.
        parsed.sheets = {}
        if not parsed.sha256:  # a return id all the same, distinct per unreadable file
            parsed.sha256 = unreadable_digest(source)
        parsed.issues.append(
            Issue(source.name, None, None, None, "FILE_CORRUPT", type(exc).__name__)
        )
        parsed.rejected = True
    return parsed


def _fill(parsed: ParsedReturn, source: ReturnSource, ref: Reference, settings: Settings) -> None:
    members: list[tuple[Path, bytes | None]] = []
    digests: list[str] = []
    for path in source.paths:
        size = path.stat().st_size
        parsed.size += size
        parsed.mtime = max(parsed.mtime or datetime(1970, 1, 1), file_mtime(path))
        if size > settings.max_file_bytes:
            # Never held in memory, but still hashed so the manifest knows the file.
            members.append((path, None))
            digests.append(file_sha256(path))
            continue
        data = path.read_bytes()
        members.append((path, data))
        digests.append(hashlib.sha256(data).hexdigest())
    parsed.sha256 = return_digest(source, digests)

    too_big = [p.name for p, data in members if data is None]
    if too_big:
        for name in too_big:
            parsed.issues.append(
                Issue(
                    name,
                    None,
                    None,
                    None,
                    "FILE_TOO_LARGE",
                    detail_text(
                        "file_too_large", megabytes=settings.max_file_bytes // (1024 * 1024)
                    ),
                )
            )
        parsed.rejected = True
        return

    loaded = (
        _load_csv_set(members, ref, settings)
        if source.is_csv_set
        else _load_single(members[0], ref, settings)
    )
    parsed.issues.extend(loaded.issues)
    if loaded.rejected:
        parsed.rejected = True
        return

    cover = resolve_cover(loaded.grids.get("cover"), source.name, ref)
    parsed.station_code, parsed.period = cover.station_code, cover.period
    parsed.issues.extend(cover.issues)
    parsed.rejected = cover.rejected

    for sheet in ref.sheets:
        if sheet == "cover" or sheet not in loaded.grids:
            continue
        frame, issues = sheet_frame(sheet, loaded.grids[sheet], ref, source.name)
        parsed.issues.extend(issues)
        if frame is not None:
            parsed.sheets[sheet] = frame
    if parsed.station_code is not None:
        for sheet in ref.stations[parsed.station_code].sheets:
            if sheet not in loaded.grids:
                label = str(ref.sheets[sheet]["label"])
                parsed.issues.append(Issue(source.name, sheet, None, None, "SHEET_MISSING", label))
    # A return lacking a sheet its station must send, or a column a sheet needs, would
    # replace the station-month with a version missing those rows (returns.md §6).
    if any(_incomplete(issue, ref) for issue in parsed.issues):
        parsed.rejected = True


def _incomplete(issue: Issue, ref: Reference) -> bool:
    reason = ref.reasons.get(issue.reason_code)
    return reason is not None and reason.level == "sheet" and reason.severity == "error"


def _load_single(member: tuple[Path, bytes | None], ref: Reference, settings: Settings) -> _Loaded:
    path, data = member
    assert data is not None
    kind = sniff(data, path.name)
    if kind in _SNIFF_REASONS:
        code, key = _SNIFF_REASONS[kind]
        detail = detail_text(key) if key else ""
        return _Loaded(issues=[Issue(path.name, None, None, None, code, detail)], rejected=True)
    if kind is Kind.CSV:
        return _load_csv_set([member], ref, settings)
    try:
        return _load_workbook(data, ref, settings)
    except WorkbookProblem as problem:
        return _Loaded(
            issues=[Issue(path.name, None, None, None, problem.reason_code, problem.detail)],
            rejected=True,
        )


def _load_workbook(data: bytes, ref: Reference, settings: Settings) -> _Loaded:
    workbook = open_workbook(data, settings)
    by_name, leftovers = match_sheet_names(workbook.sheet_names, ref)
    unnamed = [key for key in ref.sheets if key not in by_name]
    if unnamed and leftovers:

        def leftover_grid(name: str) -> Grid:
            # A sheet we only look at (a chart sheet, a broken notes sheet) cannot sink the file.
            try:
                return workbook.grid(name)
            except WorkbookProblem as problem:
                if problem.reason_code != "FILE_CORRUPT":
                    raise
                return Grid([])

        by_name.update(assign_by_content(leftovers, unnamed, leftover_grid, ref))
    return _Loaded(grids={key: workbook.grid(name) for key, name in by_name.items()})


def _load_csv_set(
    members: list[tuple[Path, bytes | None]], ref: Reference, settings: Settings
) -> _Loaded:
    loaded = _Loaded()
    for path, data in members:
        assert data is not None
        kind = sniff(data, path.name)
        if kind is not Kind.CSV:
            code, key = _SNIFF_REASONS.get(kind, ("FILE_NOT_SPREADSHEET", ""))
            detail = detail_text(key) if key else ""
            loaded.issues.append(Issue(path.name, None, None, None, code, detail))
            loaded.rejected = True
            continue
        decoded = decode_csv(data)
        if decoded is None:
            loaded.issues.append(Issue(path.name, None, None, None, "FILE_ENCODING"))
            loaded.rejected = True
            continue
        grid = csv_grid(decoded[0])
        if grid.height > settings.max_rows or grid.width > settings.max_columns:
            detail = detail_text("csv_too_large", rows=grid.height, columns=grid.width)
            loaded.issues.append(Issue(path.name, None, None, None, "FILE_TOO_LARGE", detail))
            loaded.rejected = True
            continue
        sheet = csv_sheet_of(path.name, ref) or _csv_sheet_by_content(grid, loaded.grids, ref)
        if sheet is None or sheet in loaded.grids:
            continue  # a CSV whose content is no sheet of ours; the missing sheets get reported
        loaded.grids[sheet] = grid
    return loaded


def _csv_sheet_by_content(grid: Grid, taken: dict[str, Grid], ref: Reference) -> str | None:
    candidates = [key for key in ref.sheets if key not in taken]
    return sheet_key_by_content(grid, candidates, ref)
