-- The registry and code lists are reloaded from doorstep/reference on every connect
-- so the warehouse never drifts from the files in the repository.
delete from core.stations;
insert into core.stations
select
    code,
    name,
    street,
    opened_on,
    kind
from reference_stations;
delete from core.channels;
insert into core.channels
select
    code,
    label,
    rollup
from reference_channels;
delete from core.categories;
insert into core.categories
select
    code,
    label
from reference_categories;
delete from core.reasons;
insert into core.reasons
select
    reason_code,
    severity,
    message_zh
from reference_reasons;
