select coalesce(max(registry_version), 0) + 1 as next_version
from raw.station_registry_versions;
