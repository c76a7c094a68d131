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
-- Two returns of a station-month recorded by one run share a received time: the return
-- id breaks the tie, so the same data prints the same bytes.
order by station_code, period, received_at nulls first, return_id
