-- F06 创业孵化带动就业: businesses in incubation and the jobs they provide, from each
-- station's latest return up to as_of (a month-end stock, not a flow).
with incubated as (
    select * from core.latest_incubated($as_of::date, $known_at::timestamp)
),

by_company as (
    select
        station_code,
        company,
        coalesce(sum(jobs), 0) as jobs,
        coalesce(sum(hardship_jobs), 0) as hardship_jobs
    from incubated
    group by station_code, company
),

district as (
    select
        count(*) as businesses,
        coalesce(sum(jobs), 0) as jobs,
        coalesce(sum(hardship_jobs), 0) as hardship_jobs
    from by_company
),

final as (
    select
        'F06' as figure,
        $as_of::date as as_of,
        'period_end' as scope,
        station_code as station,
        company as category,
        unnest(['jobs', 'hardship_jobs']) as measure,
        unnest([jobs, hardship_jobs])::double as value,
        null::varchar as text
    from by_company
    union all
    select
        'F06' as figure,
        $as_of::date as as_of,
        'period_end' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['businesses', 'jobs', 'hardship_jobs']) as measure,
        unnest([businesses, jobs, hardship_jobs])::double as value,
        null::varchar as text
    from district
)

select * from final;
