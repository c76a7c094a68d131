-- Every expected station-month and delivery, for the bulletin's data-quality section.
select
    station_code,
    period,
    status,
    file_name,
    received_at,
    rows_received,
    rows_accepted,
    rows_quarantined,
    is_current
from marts.returns_register
order by station_code, period, received_at nulls first
