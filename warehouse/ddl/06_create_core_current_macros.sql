-- Rows of the current version of every station-month as known at known_at. Every
-- figure and mart reads through these, so "which version counts" is decided once.

create or replace macro core.current_placements(known_at) as table
    select placements.*
    from core.placements as placements
    inner join core.current_returns(known_at) as current_returns
        on placements.return_id = current_returns.return_id;

create or replace macro core.current_training(known_at) as table
    select training.*
    from core.training as training
    inner join core.current_returns(known_at) as current_returns
        on training.return_id = current_returns.return_id;

create or replace macro core.current_events(known_at) as table
    select events.*
    from core.events as events
    inner join core.current_returns(known_at) as current_returns
        on events.return_id = current_returns.return_id;

-- Incubated businesses and households are month-end stocks: only each station's
-- latest return up to as_of describes the state at as_of.
create or replace macro core.latest_incubated(as_of, known_at) as table
    select incubated.*
    from core.incubated as incubated
    inner join core.latest_returns(as_of, known_at) as latest_returns
        on incubated.return_id = latest_returns.return_id;

create or replace macro core.latest_households(as_of, known_at) as table
    select households.*
    from core.households as households
    inner join core.latest_returns(as_of, known_at) as latest_returns
        on households.return_id = latest_returns.return_id
    qualify row_number() over (
        partition by households.station_code, households.household_id
        order by households.row_number
    ) = 1;

-- A person counts once per scope, attributed to their first placement in it:
-- earliest placed_on, ties by station code (then the row itself, for determinism).
create or replace macro core.first_placements(date_from, date_to, known_at) as table
    select placements.*
    from core.current_placements(known_at) as placements
    where
        placements.person_key is not null
        and placements.placed_on between date_from and date_to
    qualify row_number() over (
        partition by placements.person_key
        order by
            placements.placed_on,
            placements.station_code,
            placements.period,
            placements.row_number
    ) = 1;

-- The returns register: one row per return received by known_at for an expected
-- station-month (opening month .. as-of month, or the closing month if earlier), plus a
-- row for every expected station-month with no accepted return: missing (缺报) once its
-- deadline (core.deadline) has passed by due_at — the run's clock, or the known-at of a
-- past bulletin — and not_yet_due (未到期) before it (returns.md §6). Statuses are codes;
-- core.return_statuses names them.
create or replace macro core.returns_register(as_of, known_at, on_time_day, due_at) as table
    with stations as (
        select * from core.stations
        where opened_on <= as_of
    ),

    expected as (
        select
            stations.station_code,
            strftime(month_start, '%Y-%m') as period
        from stations
        cross join generate_series(
            date_trunc('month', stations.opened_on)::timestamp,
            least(
                date_trunc('month', as_of::date),
                coalesce(date_trunc('month', stations.closed_on), date_trunc('month', as_of::date))
            )::timestamp,
            interval 1 month
        ) as months (month_start)
    ),

    versions as (
        select * from core.return_versions(known_at)
    ),

    received as (
        select
            versions.*,
            -- on_time: received before the period's deadline.
            versions.received_at < core.deadline(versions.period, on_time_day) as on_time,
            row_number() over (
                partition by versions.station_code, versions.period, versions.status = 'accepted'
                order by versions.received_at, versions.return_id
            ) as accepted_no
        from versions
        inner join expected
            on
                versions.station_code = expected.station_code
                and versions.period = expected.period
    ),

    returned as (
        select
            station_code,
            period,
            case
                when status = 'rejected' then 'rejected'
                when status = 'held_back' then 'held_back'
                when accepted_no > 1 then 'resubmitted'
                when on_time then 'on_time'
                else 'late'
            end as status,
            return_id,
            file_name,
            received_at,
            rows_received,
            case when status = 'accepted' then rows_passed else 0 end as rows_accepted,
            rows_received - rows_passed as rows_quarantined,
            is_current
        from received
    ),

    accepted_months as (
        select distinct
            station_code,
            period
        from versions
        where status = 'accepted'
    ),

    missing as (
        select
            expected.station_code,
            expected.period,
            case
                when core.deadline(expected.period, on_time_day) <= due_at then 'missing'
                else 'not_yet_due'
            end as status,
            null::varchar as return_id,
            null::varchar as file_name,
            null::timestamp as received_at,
            0 as rows_received,
            0 as rows_accepted,
            0 as rows_quarantined,
            false as is_current
        from expected
        anti join accepted_months as accepted
            on
                expected.station_code = accepted.station_code
                and expected.period = accepted.period
    ),

    final as (
        select * from returned
        union all
        select * from missing
    )

    select * from final;
