-- A private DB made before raw.pseudonym_key existed, opened read-only, lacks it.
select count(*) > 0 as present
from duckdb_tables()
where schema_name = 'raw' and table_name = 'pseudonym_key';
