-- head_key is the household head's pseudonym, added in Python like person_key.
insert into staging.households
select
    return_id,
    station_code,
    period,
    row_number,
    household_id,
    head_name,
    head_id_number,
    members,
    labour,
    identified_on,
    status,
    cleared_on,
    cleared_channel,
    head_key,
    extra
from incoming_households;
