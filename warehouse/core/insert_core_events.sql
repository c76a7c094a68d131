insert into core.events
select
    return_id,
    station_code,
    period,
    row_number,
    event_name,
    event_type,
    held_on,
    attendees,
    venue
from incoming_events;
