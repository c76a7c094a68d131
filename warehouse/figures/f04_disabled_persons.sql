-- F04 残疾人就业: distinct disabled persons each station placed since it opened
-- (a person placed by two stations counts at both), and the district total once.
with stations as (
    select * from core.stations
    where opened_on <= $as_of::date
),

placements as (
    select * from core.current_placements($known_at::timestamp)
),

disabled as (
    select * from placements
    where
        person_key is not null
        and placed_on <= $as_of::date
        and list_contains(categories, '02')
),

by_station as (
    select
        stations.station_code,
        count(distinct disabled.person_key) as persons
    from stations
    left join disabled on stations.station_code = disabled.station_code
    group by stations.station_code
),

final as (
    select
        'F04' as figure,
        $as_of::date as as_of,
        'since_opening' as scope,
        station_code as station,
        null::varchar as category,
        'disabled_persons' as measure,
        persons::double as value,
        null::varchar as text
    from by_station
    union all
    select
        'F04' as figure,
        $as_of::date as as_of,
        'since_opening' as scope,
        null::varchar as station,
        null::varchar as category,
        'disabled_persons' as measure,
        count(distinct person_key)::double as value,
        null::varchar as text
    from disabled
)

select * from final;
