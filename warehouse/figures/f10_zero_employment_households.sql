-- F10 零就业家庭: households still uncleared on each station's latest register up to
-- as_of (target 0, 动态清零), and those identified and cleared this year. The status
-- labels are the caller's (reference/value_lists.csv), as the typed rows carry them.
with households as (
    select * from core.latest_households($as_of::date, $known_at::timestamp)
),

stock as (
    select
        count(*) filter (where status = $uncleared) as uncleared,
        $target_uncleared_households::double as target
    from households
),

flow as (
    select
        count(*) filter (
            where identified_on between $year_start::date and $as_of::date
        ) as identified,
        count(*) filter (
            where
            status = $cleared
            and cleared_on between $year_start::date and $as_of::date
        ) as cleared,
        -- Exact mean rounded once (core.round_ratio); the bulletin prints it as stored.
        core.round_ratio(
            sum(date_diff('day', identified_on, cleared_on)) filter (
                where
                status = $cleared
                and cleared_on between $year_start::date and $as_of::date
            ),
            count(date_diff('day', identified_on, cleared_on)) filter (
                where
                status = $cleared
                and cleared_on between $year_start::date and $as_of::date
            ),
            2
        ) as mean_days_to_clear
    from households
),

final as (
    select
        'F10' as figure,
        $as_of::date as as_of,
        'period_end' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['uncleared', 'target']) as measure,
        unnest([uncleared::double, target]) as value,
        null::varchar as text
    from stock
    union all
    select
        'F10' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['identified', 'cleared', 'mean_days_to_clear']) as measure,
        unnest([identified::double, cleared::double, mean_days_to_clear]) as value,
        null::varchar as text
    from flow
)

select * from final;
