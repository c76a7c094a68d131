-- Each expected station's standing for the latest month of the register: its current
-- version, else its latest delivery, else the register's own missing row.
select
    station_code,
    period,
    status,
    status_label,
    file_name,
    received_at
from marts.returns_register
where period = (select max(r.period) from marts.returns_register as r)
qualify
    row_number() over (
        partition by station_code
        order by is_current desc nulls last, received_at desc nulls last
    ) = 1
order by station_code;
