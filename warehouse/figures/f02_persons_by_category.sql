-- F02 按人员类别: F01 by category. A person counts under every category carried in
-- their first placement of the year, so the categories may sum to more than F01.
with first_placements as (
    select *
    from core.first_placements(
        $year_start::date, $as_of::date, $known_at::timestamp
    )
),

categories as (
    select * from core.categories
),

carried as (
    select distinct
        person_key,
        unnest(categories) as category
    from first_placements
),

counted as (
    select
        categories.category,
        count(distinct carried.person_key) as persons
    from categories
    left join carried on categories.category = carried.category
    group by categories.category
),

final as (
    select
        'F02' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        category,
        'persons' as measure,
        persons::double as value,
        null::varchar as text
    from counted
)

select * from final;
