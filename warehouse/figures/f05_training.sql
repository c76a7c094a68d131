-- F05 技能培训: courses, trainees, completions and employed after training.
-- A course that runs over several months is reported in each month's return; the
-- latest report of a course (station, project, start date) is the one that counts.
with training as (
    select * from core.current_training($known_at::timestamp)
),

courses as (
    select
        *,
        coalesce(start_on, strptime(period || '-01', '%Y-%m-%d')::date) as counted_on
    from training
    qualify row_number() over (
        partition by station_code, project, start_on
        order by period desc, row_number asc
    ) = 1
),

since_opening as (
    select
        station_code,
        project,
        count(*) as courses,
        coalesce(sum(trainees), 0) as trainees,
        coalesce(sum(completed), 0) as completed,
        coalesce(sum(employed_after), 0) as employed_after
    from courses
    where counted_on <= $as_of::date
    group by station_code, project
),

this_year as (
    select
        count(*) as courses,
        coalesce(sum(trainees), 0) as trainees,
        coalesce(sum(completed), 0) as completed,
        coalesce(sum(employed_after), 0) as employed_after
    from courses
    where counted_on between $year_start::date and $as_of::date
),

final as (
    select
        'F05' as figure,
        $as_of::date as as_of,
        'since_opening' as scope,
        station_code as station,
        project as category,
        unnest(['courses', 'trainees', 'completed', 'employed_after']) as measure,
        unnest([courses, trainees, completed, employed_after])::double as value,
        null::varchar as text
    from since_opening
    union all
    select
        'F05' as figure,
        $as_of::date as as_of,
        'ytd' as scope,
        null::varchar as station,
        null::varchar as category,
        unnest(['courses', 'trainees', 'completed', 'employed_after']) as measure,
        unnest([courses, trainees, completed, employed_after])::double as value,
        null::varchar as text
    from this_year
)

select * from final;
