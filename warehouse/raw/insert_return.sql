insert into raw.returns (
    return_id, station_code, period, received_at, file_name, status, rows_received,
    rows_passed
)
values (
    $return_id, $station_code, $period, $received_at, $file_name, $status,
    $rows_received, $rows_passed
);
