-- The registry in force: the stations of the latest import (none: nothing imported).
with latest as (
    select max(versions.registry_version) as registry_version
    from raw.station_registry_versions as versions
)

select
    registry.station_code as code,
    registry.name,
    registry.street,
    registry.opened_on,
    registry.closed_on,
    registry.kind,
    registry.aliases
from raw.station_registry as registry
inner join latest on registry.registry_version = latest.registry_version
order by registry.station_code;
