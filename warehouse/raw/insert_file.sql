-- The same bytes under the same name are one file; under another name, another row.
insert into raw.files (
    sha256, file_name, size, received_at, station_code, period, outcome, reason_code,
    first_seen_run, mtime
)
values (
    $sha256, $file_name, $size, $received_at, $station_code, $period, $outcome,
    $reason_code, $first_seen_run, $mtime
)
on conflict do nothing;
