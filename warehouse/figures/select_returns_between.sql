-- Returns that arrived after the earlier bulletin: the causes of its revisions.
select
    station_code,
    file_name
from raw.returns
where
    status = 'accepted'
    and received_at > $from_known_at::timestamp
    and received_at <= $to_known_at::timestamp
order by received_at, return_id;
