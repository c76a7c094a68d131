-- F01 服务站帮扶困难人员就业人数: distinct persons placed, all stations, 本年累计,
-- and the monthly trend (a person placed in two months counts in each month).
with placements as (
    select * from core.current_placements($known_at::timestamp)
),

months as (
    select strftime(month_start, '%Y-%m') as month
    from generate_series(
        $year_start::date::timestamp,
        $as_of::date::timestamp,
        interval 1 month
    ) as months (month_start)
),

year_placements as (
    select * from placements
    where
        person_key is not null
        and placed_on between $year_start::date and $as_of::date
),

monthly as (
    select
        months.month,
        count(distinct year_placements.person_key) as persons
    from months
    left join year_placements
        on strftime(year_placements.placed_on, '%Y-%m') = months.month
    group by months.month
),

final as (
    select
        'F01' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        null::varchar as category,
        'persons' as measure,
        count(distinct person_key)::double as value,
        null::varchar as text
    from year_placements
    union all
    select
        'F01' as figure,
        $as_of::date as as_of,
        'month' as scope,
        null::varchar as station,
        month as category,
        'persons' as measure,
        persons::double as value,
        null::varchar as text
    from monthly
)

select * from final;
