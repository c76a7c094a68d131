-- The deadline of a station-month (returns.md §6), written once: the end of the
-- on-time day of the month after the period, i.e. midnight starting the day after it.
-- The returns register reads it here; Python asks DuckDB for it (warehouse.calendar).
create or replace macro core.deadline(period, on_time_day) as
strptime(period || '-01', '%Y-%m-%d') + interval 1 month + to_days(on_time_day);
