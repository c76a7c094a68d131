-- The analyst DB holds schema marts only; it is written into a fresh file attached
-- as "analyst" while the private DB is attached read-only as "private".
create schema analyst.marts;
