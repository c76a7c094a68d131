-- Persons placed this year by station × hardship category × gender, before disclosure
-- control (doorstep.bulletin.tables chooses what of it is published). Counted like F02
-- and F03's persons_attributed — each person once, at their first placement of the
-- year (earliest placed_on, ties by station, period, row: core.first_placements),
-- under every category of that placement — so that the disclosure audit can use F02
-- and F03 as the exact constraints a reader has.
with placements as (
    select * from marts.placements
    where
        person_key is not null
        and placed_on between $year_start::date and $as_of::date
),

first_placements as (
    select * from placements
    qualify row_number() over (
        partition by person_key
        order by placed_on, station_code, period, row_number
    ) = 1
),

this_year as (
    select
        station_code,
        person_key,
        gender,
        unnest(categories) as category
    from first_placements
    where gender is not null
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

genders as (
    -- The gender labels (reference/value_lists.csv), bound by the caller.
    select unnest($genders::varchar[]) as gender
),

grid as (
    -- Both genders for every station × category reported at all, zeros included, so
    -- that a cell's absence cannot be read as a small count.
    select
        sc.station_code,
        sc.category,
        g.gender
    from station_categories as sc
    cross join genders as g
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
