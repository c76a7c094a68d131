-- Every ID number a pseudonym was made from, with that pseudonym: placed persons and
-- household heads. The pseudonyms in core were copied from these rows on load.
with persons as (
    select distinct
        id_number,
        person_key as pseudonym
    from staging.placements
    where person_key is not null
),

heads as (
    select distinct
        head_id_number as id_number,
        head_key as pseudonym
    from staging.households
    where head_key is not null
),

final as (
    select * from persons
    union
    select * from heads
)

select * from final;
