-- F09 就业困难人员就业: persons placed this year against the annual target.
-- 序时进度 = as-of month / 12. ahead_pp is taken between the two rounded rates so the
-- bulletin's line (完成P%，超序时Q个百分点) adds up as printed.
with placements as (
    select * from core.current_placements($known_at::timestamp)
),

counted as (
    select
        count(distinct person_key)::double as persons,
        $target_placements::double as target
    from placements
    where
        person_key is not null
        and placed_on between make_date(year($as_of::date), 1, 1) and $as_of::date
),

rates as (
    select
        persons,
        target,
        round(persons / nullif(target, 0) * 100, 2) as completion_rate,
        round(month($as_of::date) / 12 * 100, 2) as time_progress
    from counted
),

final as (
    select
        'F09' as figure,
        $as_of::date as as_of,
        '本年累计' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['persons', 'target', 'completion_rate', 'time_progress', 'ahead_pp'])
            as measure,
        unnest([
            persons,
            target,
            completion_rate,
            time_progress,
            round(completion_rate - time_progress, 2)
        ]) as value,
        null::varchar as text
    from rates
)

select * from final;
