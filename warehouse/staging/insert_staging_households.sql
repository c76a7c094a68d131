-- head_key is the household head's pseudonym, added in Python like person_key.
-- By name: its columns are the field registry's (foundation/reference/fields.csv),
-- the same the staging table has (a test checks the DDL against the registry).
insert into staging.households by name
select * from incoming_households;
