-- Businesses are not persons: company name and credit code may be published.
insert into core.incubated
select
    return_id,
    station_code,
    period,
    row_number,
    company,
    credit_code,
    incubated_on,
    jobs,
    hardship_jobs
from incoming_incubated;
