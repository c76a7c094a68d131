-- The head's name and ID number stay in staging; core keeps only the pseudonym.
insert into core.households
select
    return_id,
    station_code,
    period,
    row_number,
    household_id,
    head_key,
    members,
    labour,
    identified_on,
    status,
    cleared_on,
    cleared_channel
from incoming_households;
