-- Returns recorded after an earlier bulletin that can change its figures: accepted
-- versions, received in between, of station-months up to that bulletin's as-of month
-- (a later month's first return changes none of them).
select
    station_code,
    period,
    file_name
from raw.returns
where
    status = 'accepted'
    and received_at > $from_known_at::timestamp
    and received_at <= $to_known_at::timestamp
    and period <= $last_period
order by received_at, return_id;
