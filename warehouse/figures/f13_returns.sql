-- F13 报表情况: per station and month of the as-of year, the station-month's status,
-- rows accepted and quarantined (of the current version, else of the latest
-- return) and how many versions arrived. text carries the status label (of the status
-- code, core.return_statuses) because it is a category, not a number the narrative
-- could phrase.
with register as (
    select * from core.returns_register(
        $as_of::date, $known_at::timestamp, $on_time_day, $due_at::timestamp
    )
),

statuses as (
    select * from core.return_statuses
),

this_year as (
    select * from register
    where period >= strftime($year_start::date, '%Y-%m')
),

station_months as (
    select
        station_code,
        period,
        count(return_id) as versions,
        count(*) filter (where status in ('on_time', 'late', 'resubmitted')) as accepted_versions,
        arg_max(status, received_at) filter (where status in ('on_time', 'late'))
            as first_status,
        arg_max(status, received_at) filter (where status in ('rejected', 'held_back'))
            as refused_status,
        -- missing or not_yet_due: the register's row for a station-month with no accepted return.
        max(status) filter (where return_id is null) as absent_status,
        coalesce(
            max(rows_accepted) filter (where is_current),
            0
        ) as rows_accepted,
        coalesce(
            max(rows_quarantined) filter (where is_current),
            arg_max(rows_quarantined, received_at),
            0
        ) as rows_quarantined
    from this_year
    group by station_code, period
),

labelled as (
    select
        *,
        case
            when accepted_versions > 1 then 'resubmitted'
            when accepted_versions = 1 then first_status
            when refused_status is not null then refused_status
            else absent_status
        end as status
    from station_months
),

final as (
    select
        'F13' as figure,
        $as_of::date as as_of,
        'month' as scope,
        labelled.station_code as station,
        labelled.period as category,
        unnest(['rows_accepted', 'rows_quarantined', 'versions']) as measure,
        unnest([
            labelled.rows_accepted, labelled.rows_quarantined, labelled.versions
        ])::double as value,
        statuses.label as text
    from labelled
    left join statuses on labelled.status = statuses.status
)

select * from final;
