-- A few ID numbers with their pseudonyms, to tell whether a key made them (a warehouse
-- from before fingerprints were stored).
select
    id_number,
    person_key as pseudonym
from staging.placements
where person_key is not null
union all
select
    head_id_number as id_number,
    head_key as pseudonym
from staging.households
where head_key is not null
limit 5;
