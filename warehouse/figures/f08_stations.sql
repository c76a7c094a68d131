-- F08 服务站建设: stations operating at as_of (opened, not closed); opened this year against the target.
with stations as (
    select * from core.stations
),

counted as (
    select
        count(*) filter (
            where
            opened_on <= $as_of::date
            and (closed_on is null or closed_on > $as_of::date)
        ) as stations_operating,
        count(*) filter (
            where opened_on between $year_start::date and $as_of::date
        ) as opened_this_year,
        $target_new_stations::bigint as target
    from stations
),

final as (
    select
        'F08' as figure,
        $as_of::date as as_of,
        'period_end' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['stations_operating', 'opened_this_year', 'target', 'completion_rate'])
            as measure,
        unnest([
            stations_operating::double,
            opened_this_year::double,
            target::double,
            core.round_ratio(opened_this_year * 100, target, 2)
        ]) as value,
        null::varchar as text
    from counted
)

select * from final;
