-- The data dictionary is generated from the COMMENTs, so it cannot drift from the DB.
select
    schema_name,
    table_name,
    comment
from duckdb_tables()
where schema_name = 'marts'
order by table_name;
