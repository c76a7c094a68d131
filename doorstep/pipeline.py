"""The steps of the nightly run as plain functions; `flows/nightly.py` calls them as tasks.

Each step takes the settings object built at start-up and hands the next step an
in-memory value. Nothing here logs a cell value: only file names, codes and counts.
"""

from __future__ import annotations

import logging
import secrets
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from doorstep.ingest import ParsedReturn, discover_returns
from doorstep.reference import Reference, load_reference
from doorstep.settings import Settings

log = logging.getLogger("doorstep")

SHEETS = ("placements", "training", "events", "incubated", "households")
ISSUE_SCHEMA = {
    "return_id": pl.String,
    "sheet": pl.String,
    "row_number": pl.Int64,
    "column_name": pl.String,
    "reason_code": pl.String,
    "detail": pl.String,
}


def _logger() -> Any:
    """Prefect's run logger inside a run (so operators see it in the UI), else ours."""
    try:
        from prefect import get_run_logger

        return get_run_logger()
    except Exception:
        return log


def yesterday_in_beijing(now: datetime | None = None) -> date:
    """The calendar day before `now` (default: the current time) in Beijing time."""
    beijing = ZoneInfo("Asia/Shanghai")
    current = datetime.now(beijing) if now is None else now.astimezone(beijing)
    return (current - timedelta(days=1)).date()


# ---------------------------------------------------------------- demo


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


# ---------------------------------------------------------------- ingest


@dataclass
class Batch:
    """The returns that arrived since the last run, as they go through the night."""

    run_name: str
    returns: list[ParsedReturn] = field(default_factory=list)
    duplicates: list[ParsedReturn] = field(default_factory=list)
    typed: dict[str, pl.DataFrame] = field(default_factory=dict)
    issues: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ISSUE_SCHEMA))
    decision: Any = None
    feedback: dict[str, Path] = field(default_factory=dict)


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


# ---------------------------------------------------------------- validate


def _typed_frames(batch: Batch, ref: Reference) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Each sheet's rows of every usable return, typed in one call per sheet (the parsers'
    cost is per call, not per row)."""
    from transforms.sheets import parse_sheet

    raw: dict[str, list[pl.DataFrame]] = {s: [] for s in SHEETS}
    for parsed in batch.returns:
        if parsed.rejected:
            continue
        for sheet, frame in parsed.sheets.items():
            if sheet in raw:
                raw[sheet].append(
                    frame.with_columns(
                        pl.lit(parsed.sha256).alias("return_id"),
                        pl.lit(parsed.station_code).alias("station_code"),
                        pl.lit(parsed.period).alias("period"),
                    )
                )
    frames: dict[str, pl.DataFrame] = {}
    issues: list[pl.DataFrame] = []
    for sheet, parts in raw.items():
        if not parts:
            continue
        rows = pl.concat(parts, how="diagonal_relaxed")
        frame, frame_issues = parse_sheet(sheet, rows, ref)
        # Columns the template does not have stay with their row in the private
        # layer (returns.md §4.3); nothing downstream reads them.
        if "extra" in rows.columns and "extra" not in frame.columns:
            frame = frame.join(
                rows.select("return_id", "row_number", "extra"),
                on=["return_id", "row_number"],
                how="left",
            )
        frames[sheet] = frame
        issues.append(frame_issues.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA))  # type: ignore[arg-type]
    all_issues = pl.concat(issues) if issues else pl.DataFrame(schema=ISSUE_SCHEMA)
    return frames, all_issues


def validate(batch: Batch, settings: Settings) -> Batch:
    """Parse values, run each sheet's GX suite once over the night's rows, decide quarantine."""
    from expectations import build_data_docs, decide, merge_issues, validate_sheet

    ref = load_reference()
    logger = _logger()
    batch.typed, parse_issues = _typed_frames(batch, ref)
    gx_issues = []
    for sheet, frame in batch.typed.items():
        found = validate_sheet(sheet, frame, settings.gx_dir, batch.run_name)
        logger.info("GX %s: %d rows checked, %d problems", sheet, frame.height, found.height)
        gx_issues.append(found.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA))
    gx_all = pl.concat(gx_issues) if gx_issues else pl.DataFrame(schema=ISSUE_SCHEMA)
    batch.issues = merge_issues(parse_issues, gx_all)
    received = (
        pl.concat(
            [
                f.select("return_id", pl.lit(s).alias("sheet"), "row_number")
                for s, f in batch.typed.items()
            ]
        )
        if batch.typed
        else pl.DataFrame(
            schema={"return_id": pl.String, "sheet": pl.String, "row_number": pl.Int64}
        )
    )
    batch.decision = decide(batch.issues, received, settings.holdback_share, ref)
    if batch.typed:
        build_data_docs(settings.gx_dir)
    batch.feedback = _write_feedback(batch, settings, ref)
    return batch


def _return_rows(batch: Batch, parsed: ParsedReturn) -> dict[str, int | bool]:
    returns = (
        batch.decision.returns.filter(pl.col("return_id") == parsed.sha256)
        if batch.decision
        else None
    )
    if returns is None or returns.height == 0:
        return {"rows_received": 0, "rows_accepted": 0, "rows_quarantined": 0, "held_back": False}
    row = returns.row(0, named=True)
    return {k: row[k] for k in ("rows_received", "rows_accepted", "rows_quarantined", "held_back")}


def _file_issues(parsed: ParsedReturn) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "return_id": parsed.sha256,
                "sheet": i.sheet,
                "row_number": i.row_number,
                "column_name": i.column_name,
                "reason_code": i.reason_code,
                "detail": i.detail,
            }
            for i in parsed.issues
        ],
        schema=ISSUE_SCHEMA,
    )


def _issues_of(batch: Batch, parsed: ParsedReturn) -> pl.DataFrame:
    """Every problem of one return: file/sheet level first, then rows."""
    rows = (
        batch.decision.issues.filter(pl.col("return_id") == parsed.sha256)
        .select(list(ISSUE_SCHEMA))
        .cast(ISSUE_SCHEMA)
        if batch.decision is not None
        else pl.DataFrame(schema=ISSUE_SCHEMA)
    )
    return pl.concat([_file_issues(parsed), rows])


def _feedback_path(settings: Settings, parsed: ParsedReturn) -> Path:
    folder = settings.feedback / (parsed.station_code or "_unknown")
    # A CSV set is named `XH_2024-05_*.csv`; its feedback is `XH_2024-05_反馈.xlsx`.
    return folder / f"{Path(parsed.file_name).stem.removesuffix('_*')}_反馈.xlsx"


def _write_feedback(batch: Batch, settings: Settings, ref: Reference) -> dict[str, Path]:
    from doorstep.feedback import identity_rows, write_feedback

    written: dict[str, Path] = {}
    for parsed in batch.returns:
        counts = _return_rows(batch, parsed)
        info = {
            "file_name": parsed.file_name,
            "station_code": parsed.station_code,
            "station_name": ref.stations[parsed.station_code].name
            if parsed.station_code in ref.stations
            else None,
            "period": parsed.period,
            "received_at": parsed.received_at,
            "rejected": parsed.rejected,
            **counts,
        }
        # The clerk recognises a problem row by name and ID: masked forms only.
        identities = identity_rows(
            {
                s: f.filter(pl.col("return_id") == parsed.sha256)
                for s, f in batch.typed.items()
                if s in ("placements", "households")
            }
        )
        path = _feedback_path(settings, parsed)
        path.parent.mkdir(parents=True, exist_ok=True)
        written[parsed.sha256] = write_feedback(
            path, info, _issues_of(batch, parsed), identities, ref
        )
    return written


# ---------------------------------------------------------------- load


@dataclass(frozen=True)
class LoadSummary:
    returns_read: int
    returns_loaded: int
    returns_rejected: int
    returns_held_back: int
    duplicates: int
    rows_received: int
    rows_loaded: int
    rows_quarantined: int

    @property
    def with_quarantines(self) -> bool:
        return bool(self.rows_quarantined or self.returns_rejected or self.returns_held_back)


def _quarantine_rows(batch: Batch, parsed: ParsedReturn, ref: Reference) -> pl.DataFrame:
    issues = _issues_of(batch, parsed)
    messages = pl.DataFrame(
        {
            "reason_code": list(ref.reasons),
            "message_zh": [r.message_zh for r in ref.reasons.values()],
        }
    )
    return (
        issues.join(messages, on="reason_code", how="left")
        .with_columns(
            pl.lit(parsed.file_name).alias("file_name"),
            pl.when(pl.col("detail").fill_null("") == "")
            .then(pl.col("message_zh"))
            .otherwise(pl.col("message_zh") + "：" + pl.col("detail"))
            .alias("message"),
        )
        .select("file_name", "sheet", "row_number", "column_name", "reason_code", "message")
    )


def load(batch: Batch, settings: Settings) -> LoadSummary:
    """Load each return (its passing rows and its quarantine) in its own transaction."""
    from warehouse.db import connect_private, load_return, record_file

    ref = load_reference()
    key = settings.require_key()
    logger = _logger()
    settings.private_dir.mkdir(parents=True, exist_ok=True)
    loaded = rejected = held = rows_loaded = rows_quarantined = rows_received = 0
    con = connect_private(settings.private_db)
    try:
        for parsed in batch.returns:
            counts = _return_rows(batch, parsed)
            status = (
                "rejected"
                if parsed.rejected
                else "held_back"
                if counts["held_back"]
                else "accepted"
            )
            record_file(
                con,
                {
                    "sha256": parsed.sha256,
                    "file_name": parsed.file_name,
                    "size": parsed.size,
                    "received_at": parsed.received_at,
                    "station_code": parsed.station_code,
                    "period": parsed.period,
                    "outcome": status,
                    "reason_code": next(
                        (i.reason_code for i in parsed.issues if parsed.rejected), None
                    ),
                    "first_seen_run": batch.run_name,
                },
            )
            passing = _passing_rows(batch, parsed) if status != "rejected" else {}
            load_return(
                con,
                return_id=parsed.sha256,
                station_code=parsed.station_code or "",
                period=parsed.period or "",
                received_at=parsed.received_at,
                file_name=parsed.file_name,
                status=status,
                sheets=passing,
                quarantine=_quarantine_rows(batch, parsed, ref),
                rows_received=int(counts["rows_received"]),
                key=key,
            )
            loaded += status == "accepted"
            rejected += status == "rejected"
            held += status == "held_back"
            rows_received += int(counts["rows_received"])
            rows_quarantined += int(counts["rows_quarantined"])
            if status == "accepted":
                rows_loaded += sum(f.height for f in passing.values())
        for dup in batch.duplicates:
            record_file(
                con,
                {
                    "sha256": dup.sha256,
                    "file_name": dup.file_name,
                    "size": dup.size,
                    "received_at": dup.received_at,
                    "outcome": "duplicate",
                    "first_seen_run": batch.run_name,
                },
            )
    finally:
        con.close()
    summary = LoadSummary(
        returns_read=len(batch.returns),
        returns_loaded=loaded,
        returns_rejected=rejected,
        returns_held_back=held,
        duplicates=len(batch.duplicates),
        rows_received=rows_received,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
    )
    if rows_loaded + rows_quarantined + _clean_rows_held_back(batch) != rows_received:
        raise AssertionError("rows loaded + quarantined + held back differ from rows received")
    logger.info("Loaded %s", summary)
    return summary


def _clean_rows_held_back(batch: Batch) -> int:
    if batch.decision is None:
        return 0
    return batch.decision.rows.filter(pl.col("status") == "held_back").height


def _passing_rows(batch: Batch, parsed: ParsedReturn) -> dict[str, pl.DataFrame]:
    """The rows of a return with no error. For a held-back return these are kept on
    record too (they never become current), so its register shows only the bad rows
    as quarantined."""
    clean = (
        batch.decision.rows.filter(pl.col("status") != "quarantined")
        if batch.decision is not None
        else None
    )
    out: dict[str, pl.DataFrame] = {}
    for sheet, frame in batch.typed.items():
        mine = frame.filter(pl.col("return_id") == parsed.sha256)
        if clean is not None:
            keys = clean.filter(pl.col("sheet") == sheet).select("return_id", "row_number")
            mine = mine.join(keys, on=["return_id", "row_number"], how="semi")
        out[sheet] = mine
    return out


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class FiguresResult:
    as_of: date
    known_at: datetime | None
    figures: list[dict[str, Any]]
    returns_register: list[dict[str, Any]]
    quarantine_by_reason: list[dict[str, Any]]
    revisions: list[dict[str, Any]]
    data_version: str
    analyst_db: Path | None  # set when this snapshot was published
    crosstab: list[dict[str, Any]] = field(default_factory=list)  # before disclosure control


def _rows(
    con: duckdb.DuckDBPyConnection, sql_file: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    from warehouse.db import fetch_frame

    return fetch_frame(con, sql_file, params).to_dicts()


def figures(
    settings: Settings, as_of: date, known_at: datetime | None, *, publish: bool = True
) -> FiguresResult:
    """Build the analyst snapshot for `as_of` (as known at `known_at`), read what the bulletin
    needs from it, and — for the current run — publish it atomically."""
    from doorstep.bulletin.narrative import fill_texts
    from warehouse.docs import write_data_dictionary
    from warehouse.publish import build_analyst_file, publish_analyst_db

    if not settings.private_db.exists():
        raise FileNotFoundError(f"no warehouse at {settings.private_db}: run `doorstep run` first")
    targets = load_reference().targets(as_of.year)
    options: dict[str, Any] = {
        "as_of": as_of,
        "known_at": known_at,
        "targets": targets,
        "on_time_day": settings.on_time_day,
        "figure_text": fill_texts,
    }
    with tempfile.TemporaryDirectory(prefix="doorstep-snapshot-") as tmp:
        if publish:
            version = publish_analyst_db(settings.private_db, settings.analyst_db, **options)
            source = settings.analyst_db
            # The data dictionary analysts read beside the database, as of this publish.
            write_data_dictionary(settings.analyst_db, settings.docs)
        else:
            # A past as-of date or known-at: build the same marts, but never swap them in.
            source = Path(tmp) / "snapshot.duckdb"
            version = build_analyst_file(settings.private_db, source, **options)
        con = duckdb.connect(str(source), read_only=True)
        try:
            figure_rows = _rows(con, "reports/select_figures.sql")
            register = _rows(con, "reports/select_returns_register.sql")
            quarantine = _rows(con, "reports/select_quarantine_by_reason.sql")
            crosstab = _rows(con, "reports/select_station_category_gender.sql", {"as_of": as_of})
        finally:
            con.close()
    revisions = _revisions(settings, as_of, known_at)
    return FiguresResult(
        as_of,
        known_at,
        figure_rows,
        register,
        quarantine,
        revisions,
        version,
        settings.analyst_db if publish else None,
        crosstab,
    )


def _revisions(settings: Settings, as_of: date, known_at: datetime | None) -> list[dict[str, Any]]:
    from warehouse.db import last_bulletin_before
    from warehouse.figures import revisions

    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        previous = last_bulletin_before(con, as_of)
        if previous is None:
            return []
        changed = revisions(con, previous["as_of"], previous["known_at"], known_at)
    finally:
        con.close()
    labels = {row["figure"]: row["label"] for row in _definitions()}
    ref = load_reference()
    return [
        {**r, "label": _revision_label(labels.get(r["figure"], r["figure"]), r, ref)}
        for r in changed.to_dicts()
    ]


def _revision_label(label: str, row: dict[str, Any], ref: Reference) -> str:
    """The figure's label with the station and breakdown member the revised row is about,
    so that two revised rows of one figure (district and a channel) read differently."""
    parts = []
    station = row.get("station")
    if station:
        parts.append(ref.stations[station].name if station in ref.stations else station)
    category = row.get("category")
    if category and category != row.get("period"):
        codes = {"F02": ref.categories, "F11": ref.channels}.get(row["figure"], {})
        parts.append(codes[category].label if category in codes else category)
    return f"{label}（{'，'.join(parts)}）" if parts else label


def figure_rows(settings: Settings, as_of: date, known_at: datetime | None) -> list[dict[str, Any]]:
    """The figures as `doorstep figures` prints them (not published)."""
    result = figures(settings, as_of, known_at, publish=False)
    keys = (
        "figure",
        "as_of",
        "known_at",
        "scope",
        "station",
        "category",
        "measure",
        "value",
        "text",
    )
    return [{k: r.get(k) for k in keys} for r in result.figures]


# ---------------------------------------------------------------- bulletin


def _definitions() -> list[dict[str, Any]]:
    import csv

    from doorstep.reference import REFERENCE_DIR

    with (REFERENCE_DIR / "figures.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def code_version() -> str:
    """Package version plus the git commit when running from a checkout."""
    version = package_version("doorstep")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+{commit}" if commit else version


def issue_number(as_of: date) -> str:
    return f"{as_of.year}年第{as_of.month}期"


def _disclosed(crosstab: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Station × category × gender with counts of 1–4 suppressed, and whatever the
    station × category pairs and the district category × gender totals would reveal."""
    from doorstep.bulletin.disclosure import suppress

    if not crosstab:
        return []
    table = pl.DataFrame(crosstab)
    shown = suppress(table, "persons", ["station_code", "category"], ["category", "gender"])
    return shown.select("station_code", "category", "gender", "persons").to_dicts()


def _last_receipt(settings: Settings) -> datetime | None:
    """When the last return was received, rounded up to the minute the bulletin shows."""
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        row = con.execute("select max(received_at) from raw.returns").fetchone()
    finally:
        con.close()
    last: datetime | None = row[0] if row else None
    if last is None or last == last.replace(second=0, microsecond=0):
        return last
    return last.replace(second=0, microsecond=0) + timedelta(minutes=1)


def bulletin(settings: Settings, result: FiguresResult) -> Path:
    from doorstep.bulletin.context import BulletinContext
    from doorstep.bulletin.render import render_bulletin
    from warehouse.db import connect_private, record_bulletin

    ref = load_reference()
    # "Everything received" is stated as the minute of the last receipt (what
    # raw.bulletins records), so `doorstep bulletin --as-of … --known-at <that minute>`
    # renders the same bytes after later corrections.
    known_at = result.known_at or _last_receipt(settings)
    ctx = BulletinContext(
        as_of=result.as_of,
        known_at=known_at,
        issue_no=issue_number(result.as_of),
        figures=result.figures,
        stations=[
            {
                "station_code": s.code,
                "name": s.name,
                "street": s.street,
                "opened_on": s.opened_on,
                "kind": s.kind,
            }
            for s in ref.stations.values()
        ],
        returns_register=result.returns_register,
        quarantine_by_reason=result.quarantine_by_reason,
        revisions=result.revisions,
        definitions=_definitions(),
        data_version=result.data_version,
        code_version=code_version(),
        crosstab=_disclosed(result.crosstab),
    )
    out = settings.bulletins / f"{result.as_of.isoformat()}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    render_bulletin(ctx, out)
    if result.analyst_db is not None:
        con = connect_private(settings.private_db)
        try:
            record_bulletin(
                con,
                as_of=result.as_of,
                known_at=known_at,
                data_version=result.data_version,
                issue_no=ctx.issue_no,
                path=out,
            )
        finally:
            con.close()
    return out


# ---------------------------------------------------------------- summary


@dataclass(frozen=True)
class RunSummary:
    load: LoadSummary
    as_of: date
    analyst_db: Path | None
    bulletin: Path
    headline: str

    @property
    def message(self) -> str:
        state = "completed, with quarantines" if self.load.with_quarantines else "completed"
        return (
            f"{state}: {self.load.returns_read} returns read ({self.load.returns_rejected} rejected, "
            f"{self.load.returns_held_back} held back, {self.load.duplicates} duplicates); "
            f"{self.load.rows_loaded} rows loaded, {self.load.rows_quarantined} quarantined"
        )

    def report(self) -> str:
        return "\n".join(
            [
                self.message,
                f"Analyst database: {self.analyst_db}",
                f"Bulletin:         {self.bulletin}",
                f"Headline (as of {self.as_of}): {self.headline}",
            ]
        )


def summarise(load_summary: LoadSummary, result: FiguresResult, pdf: Path) -> RunSummary:
    f01 = next(
        (
            r
            for r in result.figures
            if r["figure"] == "F01"
            and r["station"] is None
            and r["category"] is None
            and r["measure"] == "persons"
        ),
        None,
    )
    headline = (
        f"F01 服务站帮扶困难人员就业人数 = {int(f01['value'])} ({f01.get('text') or ''})"
        if f01
        else "F01 not computed"
    )
    return RunSummary(load_summary, result.as_of, result.analyst_db, pdf, headline)
