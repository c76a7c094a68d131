-- incoming_placements is the typed frame of one return (Contract 2) with person_key
-- added in Python, registered by warehouse.db.load_return.
-- By name: its columns are the field registry's (foundation/reference/fields.csv),
-- the same the staging table has (a test checks the DDL against the registry).
insert into staging.placements by name
select * from incoming_placements;
