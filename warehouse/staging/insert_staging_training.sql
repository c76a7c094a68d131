-- By name: its columns are the field registry's (foundation/reference/fields.csv),
-- the same the staging table has (a test checks the DDL against the registry).
insert into staging.training by name
select * from incoming_training;
