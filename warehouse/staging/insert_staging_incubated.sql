insert into staging.incubated
select
    return_id,
    station_code,
    period,
    row_number,
    company,
    credit_code,
    incubated_on,
    jobs,
    hardship_jobs,
    extra
from incoming_incubated;
