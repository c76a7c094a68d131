-- The station registry the bureau maintains (returns.md §1, §6). Every import is a new
-- version, never an update, so which stations were known at any time stays on record;
-- the latest version is the registry. No version at all means the package's stations.
create table if not exists raw.station_registry_versions (
    registry_version integer primary key,
    imported_at timestamp not null,
    file_name varchar not null,
    stations integer not null
);

create table if not exists raw.station_registry (
    registry_version integer not null,
    station_code varchar not null,
    name varchar not null,
    street varchar not null,
    opened_on date not null,
    closed_on date,
    kind varchar not null,
    aliases varchar,
    primary key (registry_version, station_code)
);
