-- F12 社保补贴: distinct persons placed this year with the social-insurance subsidy
-- on any of their placements.
with placements as (
    select * from core.current_placements($known_at::timestamp)
),

final as (
    select
        'F12' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        null::varchar as category,
        'persons_subsidised' as measure,
        count(distinct person_key)::double as value,
        null::varchar as text
    from placements
    where
        person_key is not null
        and si_subsidy
        and placed_on between $year_start::date and $as_of::date
)

select * from final;
