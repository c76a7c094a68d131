-- F09 就业困难人员就业: persons placed this year against the annual target.
-- 序时进度 = as-of month / 12. Each rate, and ahead_pp, is its exact value rounded by
-- core.round_ratio (ahead_pp is not a difference of two rounded rates), so the bulletin
-- prints exactly what is stored: 301 of 3000 in February is 10.03%, 16.67%, −6.63.
with placements as (
    select * from core.current_placements($known_at::timestamp)
),

counted as (
    select
        count(distinct person_key) as persons,
        $target_placements::bigint as target,
        month($as_of::date) as months
    from placements
    where
        person_key is not null
        and placed_on between $year_start::date and $as_of::date
),

rates as (
    select
        persons,
        target,
        core.round_ratio(persons * 100, target, 2) as completion_rate,
        core.round_ratio(months * 100, 12, 2) as time_progress,
        core.round_ratio(100 * (12 * persons - months * target), 12 * target, 2) as ahead_pp
    from counted
),

final as (
    select
        'F09' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['persons', 'target', 'completion_rate', 'time_progress', 'ahead_pp'])
            as measure,
        unnest([
            persons::double,
            target::double,
            completion_rate,
            time_progress,
            ahead_pp
        ]) as value,
        null::varchar as text
    from rates
)

select * from final;
