"""The `doorstep` command line: one entry point for operators, analysts and clerks' templates."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from doorstep.runtime import configure_environment

app = typer.Typer(
    help=(
        "doorstep — monthly returns of Haizhou's doorstep employment service stations "
        "(家门口就业服务站) → validated DuckDB warehouse → district figures → PDF bulletin.\n\n"
        "State lives under DOORSTEP_HOME (default ./data): inbox/ for returns, doorstep.duckdb "
        "for analysts, bulletins/ and feedback/. Person pseudonyms need DOORSTEP_PSEUDONYM_KEY "
        "(`doorstep demo` makes a demo key)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

AsOf = Annotated[
    datetime,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Figures count placements up to this date (统计截止日), e.g. 2024-05-31.",
    ),
]


def _parse_known_at(text: str) -> datetime:
    """`2024-06-10` means the end of that day; `2024-06-03 09:00` (as a bulletin prints its
    数据截至 time) or `2024-06-03T09:00[:SS]` means that minute."""
    text = text.strip()
    if len(text) == 10:
        return datetime.strptime(text, "%Y-%m-%d").replace(hour=23, minute=59, second=59)
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise typer.BadParameter(f"{text!r} is not a date (2024-06-10) or a time (2024-06-03 09:00)")


def _parse_moment(text: str) -> datetime:
    """`2024-06-06 02:00` (or with seconds, or a T); a bare date means its midnight."""
    text = text.strip()
    for fmt in (
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d",
    ):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise typer.BadParameter(f"{text!r} is not a time (2024-06-06 02:00) or a date (2024-06-06)")


Now = Annotated[
    datetime | None,
    typer.Option(
        "--now",
        parser=_parse_moment,
        metavar="YYYY-MM-DD[ HH:MM]",
        help=(
            "The run's clock, Beijing time (default: the wall clock). Returns first seen "
            "tonight are received at this time, and it decides which months are due. "
            "To replay history, give each night its own."
        ),
    ),
]
Period = Annotated[
    str,
    typer.Option(
        "--period",
        metavar="YYYY-MM",
        help="The month the issue reports on, e.g. 2024-05.",
    ),
]


def _clock(now: datetime | None) -> datetime:
    """The run's clock, read once here and passed down."""
    from doorstep.pipeline import beijing_now

    return now or beijing_now()


def _period(text: str, option: str) -> str:
    from transforms.values import parse_period

    norm = parse_period(text)
    if norm is None:
        _fail(f"{option}: cannot read the month {text!r}; write it as 2024-05")
    return norm


KnownAt = Annotated[
    datetime | None,
    typer.Option(
        "--known-at",
        parser=_parse_known_at,
        metavar="YYYY-MM-DD[ HH:MM]",
        help=(
            "Use only returns received by then (数据时点); a bare date means the end of that "
            "day. To reproduce a published bulletin, pass the 数据截至 time it prints, e.g. "
            "'2024-06-03 09:00'. Default: everything received."
        ),
    ),
]
Home = Annotated[
    Path | None,
    typer.Option("--home", envvar="DOORSTEP_HOME", help="State folder (default ./data)."),
]


def _settings(home: Path | None):
    configure_environment(home)
    from pydantic import ValidationError

    from foundation.settings import Settings, SettingsError

    try:
        settings = Settings() if home is None else Settings(home=home)
    except ValidationError as exc:
        # Name the environment variable, never echo the value (it may be the key).
        problems = "; ".join(
            f"DOORSTEP_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        _fail(f"bad setting: {problems}")
    return settings, SettingsError


@contextmanager
def _exclusive(settings, purpose: str) -> Iterator[None]:
    """Checks that take seconds, before Prefect starts: a writable home (a read-only one
    would otherwise time out Prefect's server minutes later), the home lock (one night at
    a time; a second run changes nothing), private folders closed to other users."""
    from doorstep.lock import HomeBusy, home_lock
    from foundation.homecheck import HomeError, check_private, check_writable, prepare_home

    try:
        check_writable(settings)
        check_private(settings)
        with home_lock(settings, purpose):
            prepare_home(settings)
            yield
    except (HomeError, HomeBusy) as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.secho(f"doorstep: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def _past(as_of: datetime, now: datetime | None = None) -> date:
    """An as-of date that has not happened yet has no figures: refuse it."""
    today = _clock(now).date()
    if as_of.date() > today:
        _fail(f"--as-of {as_of.date()} is in the future (Beijing time); figures exist up to today")
    return as_of.date()


@app.command()
def demo(
    home: Home = None,
    messy: Annotated[
        bool, typer.Option(help="Also drop one messy return of every kind in returns.md §4.")
    ] = False,
) -> None:
    """Deliver the demo returns (6 stations, Jan 2023 – May 2024) as they arrived, publish the 2024 issues up to May as each fell due, and run the night of 2024-06-06 as of 2024-05-31."""
    settings, _ = _settings(home)
    with _exclusive(settings, "doorstep demo"):
        _demo(settings, messy)


def _demo(settings, messy: bool) -> None:
    from doorstep.demo import load_plan
    from doorstep.demo.deliver import deliver_demo, demo_clock, ensure_demo_key

    created_key = ensure_demo_key(settings)
    if created_key:
        typer.echo(
            f"Created a demo pseudonym key in {settings.demo_key_file} (demo only: never use it for real data)."
        )
    paths = deliver_demo(settings, messy=messy)
    typer.echo(f"Delivered {len(paths)} demo returns to {settings.inbox}, each at its planned time")
    now = demo_clock()
    plan = load_plan()["backfill"]
    _backfill(settings, str(plan["from"]), str(plan["to"]), now)
    _run(settings, date(2024, 5, 31), None, now)


@app.command()
def run(
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Figures count placements up to this date (default: the day before --now).",
        ),
    ] = None,
    known_at: KnownAt = None,
    now: Now = None,
    home: Home = None,
) -> None:
    """Run the nightly flow once on what is in the inbox: record new returns, publish the month's issue once its deadline has passed, refresh doorstep.duckdb and render the draft.

    Needs DOORSTEP_PSEUDONYM_KEY. Reads new returns from DOORSTEP_HOME/inbox, loads them, writes feedback workbooks, publishes doorstep.duckdb and renders the draft under bulletins/drafts/; the first run on or after a month's deadline also publishes its issue under bulletins/issues/.
    """
    settings, _ = _settings(home)
    clock = _clock(now)
    day = _past(as_of, clock) if as_of else clock.date() - timedelta(days=1)
    _require_key_set(settings)  # before anything is created in the home
    with _exclusive(settings, f"doorstep run --as-of {day}"):
        _require_known_key(settings)
        _run(settings, day, known_at, clock)


def _require_key_set(settings) -> None:
    """A key is configured (no database opened: another run may hold it; the key's
    fingerprint is checked under the home lock)."""
    from foundation.settings import SettingsError

    try:
        settings.require_key()
    except SettingsError as exc:
        _fail(str(exc))


def _require_known_key(settings) -> None:
    """The key is the one the private DB was made with: checked under the home lock in
    milliseconds, before Prefect's start-up takes its seconds (the flow checks it again
    when it builds the run's context)."""
    from doorstep.keys import require_known_key
    from foundation.settings import SettingsError

    try:
        require_known_key(settings)
    except SettingsError as exc:
        _fail(str(exc))


def _context(
    settings,
    now: datetime,
    as_of: date | None = None,
    known_at: datetime | None = None,
    *,
    needs_key: bool = True,
):
    """The run's context, built once here for a command the CLI runs itself (the key's
    fingerprint is checked in it, so under the home lock when the command takes it)."""
    from doorstep.context import run_context
    from foundation.settings import SettingsError

    try:
        return run_context(settings, now=now, as_of=as_of, known_at=known_at, needs_key=needs_key)
    except SettingsError as exc:
        _fail(str(exc))


def _run(settings, as_of: date, known_at: datetime | None, now: datetime) -> None:
    from doorstep.pipeline import RunSummary
    from doorstep.progress import terminal_progress
    from flows.nightly import nightly

    # The flow builds the run's context from these (checking the key's fingerprint first).
    with terminal_progress():  # a bar per step, only when a person watches a terminal
        state = nightly(
            as_of=as_of, known_at=known_at, now=now, settings=settings, return_state=True
        )
    if not state.is_completed():
        from datetime import UTC

        from doorstep.status import RunInfo, record_run

        # A completed run records itself; a failed one is recorded here for `doorstep status`.
        record_run(
            settings,
            RunInfo(
                state=state.name or state.type.value,
                when=datetime.now(UTC).isoformat(timespec="seconds"),
                summary=state.message,
            ),
        )
        _fail(f"the nightly run ended {state.type.value}: {state.message}")
    summary: RunSummary = state.result()  # type: ignore[assignment]  # the flow's Completed(data=…)
    typer.echo(summary.report())


@app.command()
def publish(
    period: Period,
    correction: Annotated[
        bool,
        typer.Option(
            "--correction",
            help="Publish a corrected edition (更正版) of an issue already out, with the returns received since.",
        ),
    ] = False,
    now: Now = None,
    home: Home = None,
) -> None:
    """Publish a month's issue now (as of its last day, as known now), unless it is already out; with --correction, a new edition of it.

    Records what is in the inbox first. The nightly run does this by itself on the first night after the month's deadline.
    """
    settings, _ = _settings(home)
    month = _period(period, "--period")
    _require_key_set(settings)
    with _exclusive(settings, f"doorstep publish --period {month}"):
        _publish(settings, month, correction, _clock(now))


def _publish(settings, period: str, correction: bool, now: datetime) -> None:
    from doorstep import pipeline

    ctx = _context(settings, now)
    pipeline.record(ctx)
    try:
        issue = pipeline.publish_issue(ctx, period, correction=correction)
    except pipeline.PublicationError as exc:
        _fail(str(exc))
    typer.echo(
        f"{issue.label} ({issue.period}), known at {issue.known_at:%Y-%m-%d %H:%M}: {issue.path}"
    )


@app.command()
def backfill(
    first: Annotated[str, typer.Option("--from", metavar="YYYY-MM", help="First month.")],
    last: Annotated[str, typer.Option("--to", metavar="YYYY-MM", help="Last month.")],
    now: Now = None,
    home: Home = None,
) -> None:
    """Publish each month's issue from --from to --to as it would have been published at its deadline (as known then); months already out are left alone.

    Records what is in the inbox first (deliver old returns with `doorstep receive --at` so they carry their real arrival). Running it twice changes nothing.
    """
    settings, _ = _settings(home)
    months = _period(first, "--from"), _period(last, "--to")
    _require_key_set(settings)
    with _exclusive(settings, f"doorstep backfill --from {months[0]} --to {months[1]}"):
        _backfill(settings, *months, _clock(now))


def _backfill(settings, first: str, last: str, now: datetime) -> None:
    from doorstep import pipeline

    ctx = _context(settings, now)
    try:
        loaded, issues = pipeline.backfill(ctx, first, last)
    except pipeline.PublicationError as exc:
        _fail(str(exc))
    typer.echo(
        f"Recorded {loaded.returns_read} returns ({loaded.returns_rejected} rejected, "
        f"{loaded.returns_held_back} held back); {loaded.rows_loaded} rows loaded, "
        f"{loaded.rows_quarantined} quarantined"
    )
    for issue in issues:
        typer.echo(
            f"{issue.label} ({issue.period}), known at {issue.known_at:%Y-%m-%d %H:%M}: {issue.path}"
        )
    if not issues:
        typer.echo(f"Nothing to publish: every month from {first} to {last} is out or not yet due.")


@app.command()
def receive(
    files: Annotated[list[Path], typer.Argument(help="Return files to deliver.", exists=True)],
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at",
            parser=_parse_moment,
            metavar="YYYY-MM-DD HH:MM",
            help="When they arrived, Beijing time (default: now). Never later than now.",
        ),
    ] = None,
    home: Home = None,
) -> None:
    """The bureau's delivery step: copy returns into the inbox and log when they arrived, which the nightly run takes as their received time."""
    settings, _ = _settings(home)
    from doorstep import pipeline

    now = _clock(None)
    try:
        delivered = pipeline.receive(settings, list(files), at=at or now, now=now)
    except pipeline.DeliveryError as exc:
        _fail(str(exc))
    for path in delivered:
        typer.echo(str(path))


@app.command()
def serve(home: Home = None) -> None:
    """Serve the nightly deployment: every day at 02:00 Asia/Shanghai, figures as of yesterday.

    Needs DOORSTEP_PSEUDONYM_KEY. Runs until interrupted (Ctrl-C). With PREFECT_API_URL set it reports to that Prefect server, otherwise it starts a temporary local one.
    """
    settings, SettingsError = _settings(home)
    from doorstep.keys import require_known_key

    try:
        require_known_key(settings)
    except SettingsError as exc:
        _fail(str(exc))
    from flows.serve import serve_nightly

    serve_nightly(settings)


@app.command()
def rekey(
    new_key_file: Annotated[
        Path,
        typer.Option(
            "--new-key-file",
            help="File holding the new key (at least 32 characters), e.g. made with "
            "`python -c 'import secrets; print(secrets.token_hex(32))' > new.key`.",
        ),
    ],
    home: Home = None,
) -> None:
    """Rotate the pseudonym key: re-key every person of the private database in one transaction.

    The old key is the one in use (DOORSTEP_PSEUDONYM_KEY, or the demo key); the new key is read from --new-key-file, so no key appears in shell history or process listings. Afterwards set DOORSTEP_PSEUDONYM_KEY to the new key: the next run or publish rebuilds the analyst database with the new person keys.
    """
    settings, SettingsError = _settings(home)
    from doorstep.keys import read_key_file, rotate_key

    try:
        with _exclusive(settings, "doorstep rekey"):
            persons = rotate_key(settings, read_key_file(new_key_file))
    except SettingsError as exc:
        _fail(str(exc))
    typer.echo(
        f"Re-keyed {persons} persons in {settings.private_db}. Set DOORSTEP_PSEUDONYM_KEY to the "
        "new key now (runs under the old key are refused from here on); the next `doorstep run` "
        "rebuilds the analyst database."
    )


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
    home: Home = None,
) -> None:
    """Where the nightly job stands: last run, next scheduled run, this month's returns, last bulletin.

    With PREFECT_API_URL set (as for `doorstep serve`) the runs come from that Prefect server; otherwise from the record the last completed run left in DOORSTEP_HOME. Reads only.
    """
    import os

    settings, _ = _settings(home)
    from doorstep.status import gather, render

    found = gather(settings, os.environ.get("PREFECT_API_URL") or None)
    typer.echo(found.to_json() if as_json else render(found))


# What `doorstep figures` prints of each figure row (Contract 5).
FIGURE_KEYS = (
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


@app.command()
def figures(
    as_of: AsOf,
    known_at: KnownAt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list of figure rows.")
    ] = False,
    home: Home = None,
) -> None:
    """Print the district figures as of a date (and as known at a date)."""
    settings, _ = _settings(home)
    from doorstep import pipeline

    now = _clock(None)
    ctx = _context(settings, now, _past(as_of, now), known_at, needs_key=False)
    try:
        rows = [
            {k: r.get(k) for k in FIGURE_KEYS} for r in pipeline.figures(ctx, publish=False).figures
        ]
    except FileNotFoundError as exc:
        _fail(str(exc))
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
        return
    for r in rows:
        where = "/".join(str(r[k]) for k in ("scope", "station", "category") if r.get(k))
        text = f"  {r['text']}" if r.get("text") else ""
        # No value: e.g. a completion rate for a year without targets.
        value = "—" if r["value"] is None else f"{r['value']:g}"
        typer.echo(f"{r['figure']}  {where:<24} {r['measure']:<20} {value:>10}{text}")


@app.command()
def bulletin(as_of: AsOf, known_at: KnownAt = None, home: Home = None) -> None:
    """Regenerate a bulletin under bulletins/regenerated/: a published issue byte for byte when --as-of and --known-at are its own (printed in it, listed in marts.bulletins), else a draft."""
    settings, _ = _settings(home)
    from doorstep import pipeline

    now = _clock(None)
    day = _past(as_of, now)
    with _exclusive(settings, f"doorstep bulletin --as-of {day}"):
        ctx = _context(settings, now, day, known_at, needs_key=False)
        try:
            # Regenerating never swaps a past snapshot into the analyst DB nor records a bulletin.
            pdf = pipeline.reproduce(ctx)
        except FileNotFoundError as exc:
            _fail(str(exc))
    typer.echo(str(pdf))


@app.command()
def template(
    station: Annotated[str, typer.Option(help="Station code, e.g. XH.")],
    period: Annotated[str, typer.Option(help="Report month, e.g. 2024-06.")],
    out: Annotated[
        Path | None, typer.Option(help="Where to write (default: ./<station>_<period>.xlsx).")
    ] = None,
    home: Home = None,
) -> None:
    """Write the official xlsx return template for one station-month."""
    settings, _ = _settings(home)
    from doorstep.registry import home_reference
    from doorstep.template import write_template
    from transforms.values import parse_period

    ref = home_reference(settings)
    station = station.strip().upper()
    if station not in ref.stations:
        _fail(f"unknown station {station!r}; known: {', '.join(sorted(ref.stations))}")
    norm = parse_period(period)
    if norm is None:
        _fail(f"cannot read period {period!r}; write it as 2024-06")
    path = write_template(out or Path(f"{station}_{norm}.xlsx"), station, norm, ref)
    typer.echo(str(path))


@app.command()
def sql(
    command: Annotated[
        str | None, typer.Option("-c", "--command", help="Run one query and print the result.")
    ] = None,
    home: Home = None,
) -> None:
    """Query the analyst database (read-only): an interactive shell, or one query with -c."""
    settings, _ = _settings(home)
    from doorstep import analyst_shell

    if not settings.analyst_db.exists():
        _fail(
            f"no analyst database at {settings.analyst_db}: run `doorstep run` or `doorstep demo` first"
        )
    if command is not None:
        ok = analyst_shell.run_query(settings.analyst_db, command)
        raise typer.Exit(code=0 if ok else 1)
    analyst_shell.interactive(settings.analyst_db)


@app.command()
def docs(
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: DOORSTEP_HOME/docs).")
    ] = None,
    home: Home = None,
) -> None:
    """Write the analysts' data dictionary (Markdown and HTML) from the warehouse's comments."""
    settings, _ = _settings(home)
    from warehouse.docs import write_data_dictionary

    if not settings.analyst_db.exists():
        _fail(
            f"no analyst database at {settings.analyst_db}: run `doorstep run` or `doorstep demo` first"
        )
    for path in write_data_dictionary(settings.analyst_db, out or settings.docs):
        typer.echo(str(path))


stations_app = typer.Typer(
    help=(
        "The station registry the bureau maintains. Until one is imported, the package's six "
        "stations are the registry; each import is a new version and replaces it whole."
    ),
    no_args_is_help=True,
)
app.add_typer(stations_app, name="stations")


@stations_app.command("import")
def stations_import(
    file: Annotated[Path, typer.Argument(help="Registry CSV (UTF-8).", metavar="FILE.csv")],
    home: Home = None,
    now: Now = None,
) -> None:
    """Import the registry from a CSV: columns code,name,street,opened_on (YYYY-MM-DD), optional kind (default community), aliases (a|b|c), closed_on. Nothing is imported when any row is wrong."""
    settings, _ = _settings(home)
    from doorstep.registry import RegistryError, import_stations

    # The registry lives in the private DB, which a night holds open: same lock.
    with _exclusive(settings, "doorstep stations import"):
        try:
            version = import_stations(settings, file, imported_at=_clock(now))
        except RegistryError as exc:
            _fail(str(exc))
    typer.echo(f"Imported {file.name} as registry version {version} into {settings.private_db}")


@stations_app.command("list")
def stations_list(home: Home = None) -> None:
    """List the stations in force and the registry's versions."""
    settings, _ = _settings(home)
    from doorstep.registry import home_reference, registry_versions, stations_table

    versions = registry_versions(settings)
    if versions:
        last = versions[-1]
        typer.echo(
            f"Registry version {last['registry_version']} ({last['file_name']}, imported "
            f"{last['imported_at']:%Y-%m-%d %H:%M}); {len(versions)} version(s) on record"
        )
    else:
        typer.echo("No registry imported: the package's stations are in force")
    for row in stations_table(home_reference(settings).stations):
        closed = f"  closed {row['closed_on']}" if row["closed_on"] else ""
        typer.echo(
            f"{row['code']:<8} {row['name']}  {row['street']}  {row['kind']}  "
            f"opened {row['opened_on']}{closed}"
        )


if __name__ == "__main__":
    app()
