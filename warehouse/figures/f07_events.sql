-- F07 创业活动场次: events held this year by type, against the annual target
-- ($target_events from targets/<year>.yaml; null when the year has no target).
with events as (
    select * from core.current_events($known_at::timestamp)
),

year_events as (
    select * from events
    where held_on between $year_start::date and $as_of::date
),

by_type as (
    select
        event_type,
        count(*) as events
    from year_events
    group by event_type
),

total as (
    select
        count(*) as events,
        $target_events::bigint as target
    from year_events
),

final as (
    select
        'F07' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        event_type as category,
        'events' as measure,
        events::double as value,
        null::varchar as text
    from by_type
    union all
    select
        'F07' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['events', 'target', 'completion_rate']) as measure,
        unnest([
            events::double,
            target::double,
            core.round_ratio(events * 100, target, 2)
        ]) as value,
        null::varchar as text
    from total
)

select * from final;
