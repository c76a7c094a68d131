-- F03 按服务站: persons attributed to the station of their first placement of the
-- year (sums to F01), and each station's own distinct count (may sum to more).
with stations as (
    select * from core.stations
    where opened_on <= $as_of::date
),

first_placements as (
    select *
    from core.first_placements(
        $year_start::date, $as_of::date, $known_at::timestamp
    )
),

placements as (
    select * from core.current_placements($known_at::timestamp)
),

year_placements as (
    select * from placements
    where
        person_key is not null
        and placed_on between $year_start::date and $as_of::date
),

attributed as (
    select
        station_code,
        count(*) as persons
    from first_placements
    group by station_code
),

own as (
    select
        station_code,
        count(distinct person_key) as persons
    from year_placements
    group by station_code
),

by_station as (
    select
        stations.station_code,
        coalesce(attributed.persons, 0) as persons_attributed,
        coalesce(own.persons, 0) as persons_own
    from stations
    left join attributed on stations.station_code = attributed.station_code
    left join own on stations.station_code = own.station_code
),

final as (
    select
        'F03' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        station_code as station,
        null::varchar as category,
        unnest(['persons_attributed', 'persons_own']) as measure,
        unnest([persons_attributed, persons_own])::double as value,
        null::varchar as text
    from by_station
)

select * from final;
