-- F11 月收入: median and mean monthly income of persons placed this year, each person
-- once at their first placement, by channel rollup and for the district; `persons` is
-- how many incomes each is over (the bulletin publishes no median or mean over fewer
-- than five persons, and never these counts).
-- Each is its exact value rounded once to 2 decimals (core.round_ratio over cents;
-- the median of an even count is half the sum of the middle two), printed as stored.
with first_placements as (
    select *
    from core.first_placements(
        $year_start::date, $as_of::date, $known_at::timestamp
    )
),

with_income as (
    select
        *,
        round(monthly_income * 100)::bigint as income_cents
    from first_placements
    where monthly_income is not null
),

by_channel as (
    select
        channel_rollup,
        count(*) as persons,
        core.round_ratio(2 * median(income_cents), 200, 2) as median_income,
        core.round_ratio(sum(income_cents), 100 * count(*), 2) as mean_income
    from with_income
    where channel_rollup is not null
    group by channel_rollup
),

district as (
    select
        count(*) as persons,
        core.round_ratio(2 * median(income_cents), 200, 2) as median_income,
        core.round_ratio(sum(income_cents), 100 * count(*), 2) as mean_income
    from with_income
),

final as (
    select
        'F11' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        channel_rollup as category,
        unnest(['persons', 'median_income', 'mean_income']) as measure,
        unnest([persons, median_income, mean_income])::double as value,
        null::varchar as text
    from by_channel
    union all
    select
        'F11' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['persons', 'median_income', 'mean_income']) as measure,
        unnest([persons, median_income, mean_income])::double as value,
        null::varchar as text
    from district
)

select * from final;
