select
    registry_version,
    imported_at,
    file_name,
    stations
from raw.station_registry_versions
order by registry_version;
