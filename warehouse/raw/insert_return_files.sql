-- Each loaded return's line in the file manifest, in the transaction of its rows
-- (Contract 8). A return's sha256 is its return_id; its outcome is its status.
insert into raw.files (
    sha256, file_name, size, received_at, station_code, period, outcome, reason_code,
    first_seen_run, mtime
)
select
    return_id as sha256,
    file_name,
    size,
    received_at,
    nullif(station_code, '') as station_code,
    nullif(period, '') as period,
    status as outcome,
    reason_code,
    first_seen_run,
    mtime
from incoming_returns
on conflict do nothing;
