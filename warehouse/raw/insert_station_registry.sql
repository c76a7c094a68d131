-- One import of the registry, as a new version (numbered by the caller, after the latest).
insert into raw.station_registry_versions (
    registry_version, imported_at, file_name, stations
)
values ($registry_version, $imported_at, $file_name, $stations);

insert into raw.station_registry (
    registry_version, station_code, name, street, opened_on, closed_on, kind, aliases
)
select
    registry_version,
    code,
    name,
    street,
    opened_on,
    closed_on,
    kind,
    aliases
from incoming_registry;
