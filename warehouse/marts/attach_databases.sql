-- Publishing reads the private DB without being able to change it, and writes only
-- into the new analyst file; "private" and "analyst" are the names the marts use.
attach $private_db as private (read_only);
attach $analyst_db as analyst;
use private;
