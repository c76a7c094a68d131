-- The registry and code lists are reloaded on every connect so the warehouse never
-- drifts: code lists from foundation/reference, stations from the bureau's latest
-- imported registry, or the package's stations when none was ever imported.
delete from core.stations;
insert into core.stations (station_code, name, street, opened_on, kind, closed_on)
select
    code,
    name,
    street,
    opened_on,
    kind,
    null as closed_on
from reference_stations
where not exists (select 1 from raw.station_registry_versions)
union all
select
    registry.station_code,
    registry.name,
    registry.street,
    registry.opened_on,
    registry.kind,
    registry.closed_on
from raw.station_registry as registry
where registry.registry_version = (
    select max(versions.registry_version) from raw.station_registry_versions as versions
);
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
delete from core.scopes;
insert into core.scopes
select
    code,
    label
from reference_scopes;
delete from core.return_statuses;
insert into core.return_statuses
select
    code,
    label
from reference_return_statuses;
