-- Persons placed this year by station × hardship category × gender: the bulletin's one
-- cross-tab finer than station × category, published only after disclosure control.
-- A person counts once per cell, under every category they carry.
with placements as (
    select * from marts.placements
),

this_year as (
    select
        p.station_code,
        p.person_key,
        p.gender,
        unnest(p.categories) as category
    from placements as p
    where
        p.placed_on between make_date(year($as_of::date), 1, 1) and $as_of::date
        and p.gender is not null
),

cells as (
    select
        station_code,
        category,
        gender,
        count(distinct person_key) as persons
    from this_year
    group by station_code, category, gender
),

station_categories as (
    select distinct
        station_code,
        category
    from cells
),

grid as (
    -- Both genders for every station × category reported at all, zeros included, so
    -- that a cell's absence cannot be read as a small count.
    select
        sc.station_code,
        sc.category,
        g.gender
    from station_categories as sc
    cross join (values ('男'), ('女')) as g (gender)
),

final as (
    select
        grid.station_code,
        grid.category,
        grid.gender,
        coalesce(cells.persons, 0) as persons
    from grid
    left join cells
        on
            grid.station_code = cells.station_code
            and grid.category = cells.category
            and grid.gender = cells.gender
)

select * from final
order by station_code, category, gender
