-- Files recorded but not loaded (copies, set-aside entries), all in one statement. The
-- same bytes under the same name are one file, also when they come twice in a night.
insert into raw.files (
    sha256, file_name, size, received_at, station_code, period, outcome, reason_code,
    first_seen_run, mtime
)
select distinct on (sha256, file_name)
    sha256,
    file_name,
    size,
    received_at,
    station_code,
    period,
    outcome,
    reason_code,
    first_seen_run,
    mtime
from incoming_files
on conflict do nothing;
