insert into staging.events
select
    return_id,
    station_code,
    period,
    row_number,
    event_name,
    event_type,
    held_on,
    attendees,
    venue,
    extra
from incoming_events;
