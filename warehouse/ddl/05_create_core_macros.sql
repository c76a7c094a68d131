-- History is derived, never stored as mutable state: which version of a station-month
-- counts depends only on what had been received by known_at.

-- The current version of each station-month as known at known_at: the latest
-- accepted return received at or before it (ties broken by return_id so the choice
-- is deterministic).
create or replace macro core.current_returns(known_at) as table
    select
        received.return_id,
        received.station_code,
        received.period,
        received.received_at,
        received.file_name
    from raw.returns as received
    where
        received.status = 'accepted'
        and received.received_at <= known_at
    qualify row_number() over (
        partition by received.station_code, received.period
        order by received.received_at desc, received.return_id desc
    ) = 1;

-- Every version received by known_at, with when a later accepted version replaced it.
create or replace macro core.return_versions(known_at) as table
    with received as (
        select * from raw.returns
        where received_at <= known_at
    ),

    accepted as (
        select
            return_id,
            lead(received_at) over (
                partition by station_code, period
                order by received_at, return_id
            ) as superseded_at
        from received
        where status = 'accepted'
    ),

    final as (
        select
            received.*,
            accepted.superseded_at,
            received.status = 'accepted' and accepted.superseded_at is null as is_current,
            row_number() over (
                partition by received.station_code, received.period
                order by received.received_at, received.return_id
            ) as version_no
        from received
        left join accepted on received.return_id = accepted.return_id
    )

    select * from final;

-- Snapshot sheets (incubated, households) describe the state at month end, so the
-- state at as_of is the current version of each station's latest period up to as_of.
create or replace macro core.latest_returns(as_of, known_at) as table
    select current_returns.*
    from core.current_returns(known_at) as current_returns
    where current_returns.period <= strftime(as_of, '%Y-%m')
    qualify row_number() over (
        partition by current_returns.station_code
        order by current_returns.period desc
    ) = 1;

-- The one rounding rule of every published rate, share, mean and difference: the
-- exact value num / den rounded half away from zero to `places` decimals, in integer
-- arithmetic (no binary fraction on the way), so the stored value is the value the
-- bulletin prints. A difference is rounded from its exact value, never taken between
-- two rounded numbers. num and den must be whole numbers; null when den is 0 or null.
create or replace macro core.round_ratio(num, den, places) as
case
    when num is null or den is null or den = 0 then null
    else (
        sign(num::hugeint) * sign(den::hugeint)
        * (
            (2 * abs(num::hugeint) * (10 ** places)::hugeint + abs(den::hugeint))
            // (2 * abs(den::hugeint))
        )
    )::double / (10 ** places)
end;
