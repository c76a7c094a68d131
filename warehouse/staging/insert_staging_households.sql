-- incoming_households: the typed rows (Contract 2) of a chunk's returns, registered by
-- warehouse.db.load_night with exactly the staging columns; by name, so a field added
-- to the sheet needs no change here.
-- head_key is the household head's pseudonym, added in Python like person_key.
-- By name: its columns are the field registry's (foundation/reference/fields.csv),
-- the same the staging table has (a test checks the DDL against the registry).
insert into staging.households by name
select * from incoming_households;
