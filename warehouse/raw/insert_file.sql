-- A byte-identical file is the same delivery whatever its name: first one wins.
insert into raw.files (
    sha256, file_name, size, received_at, station_code, period, outcome, reason_code,
    first_seen_run
)
values (
    $sha256, $file_name, $size, $received_at, $station_code, $period, $outcome,
    $reason_code, $first_seen_run
)
on conflict do nothing;
