-- incoming_placements is the typed frame of one return (Contract 2) with person_key
-- added in Python, registered by warehouse.db.load_return.
insert into staging.placements
select
    return_id,
    station_code,
    period,
    row_number,
    name,
    gender,
    id_number,
    id_raw,
    categories,
    primary_category,
    disability_cert,
    channel,
    employer,
    job,
    placed_on,
    monthly_income,
    si_subsidy,
    phone,
    note,
    person_key,
    extra
from incoming_placements;
