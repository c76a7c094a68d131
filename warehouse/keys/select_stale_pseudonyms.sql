-- Pseudonyms a rotation left behind: rows whose key is not one the new key made.
with pseudonyms as (
    select person_key as pseudonym from staging.placements
    union all
    select person_key as pseudonym from core.placements
    union all
    select head_key as pseudonym from staging.households
    union all
    select head_key as pseudonym from core.households
)

select count(*) as stale
from pseudonyms
where
    pseudonym is not null
    and pseudonym not in (select rekeyed.new_key from rekeyed);
