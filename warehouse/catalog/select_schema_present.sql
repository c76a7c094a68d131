-- Whether the warehouse's schema is in this file (its last DDL file's table).
select count(*) > 0 as present
from duckdb_tables()
where schema_name = 'raw' and table_name = 'station_registry';
