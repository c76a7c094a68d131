-- incoming_returns: one line per return of a chunk, registered by warehouse.db.load_night.
insert into raw.returns (
    return_id, station_code, period, received_at, file_name, status, rows_received,
    rows_passed
)
select
    return_id,
    station_code,
    period,
    received_at,
    file_name,
    status,
    rows_received,
    rows_passed
from incoming_returns;
