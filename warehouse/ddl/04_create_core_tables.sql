-- Core: one row per loaded row per return version, pseudonymised. Nothing here can
-- name a person: person_key is a keyed HMAC, the rest are coarse attributes.
create table if not exists core.stations (
    station_code varchar primary key,
    name varchar not null,
    street varchar,
    opened_on date not null,
    kind varchar
);

-- A station stops being expected after the month it closed (returns.md §6); added
-- apart so a warehouse created before closing dates keeps working.
alter table core.stations add column if not exists closed_on date;

create table if not exists core.channels (
    channel varchar primary key,
    label varchar,
    channel_rollup varchar
);

create table if not exists core.categories (
    category varchar primary key,
    label varchar
);

create table if not exists core.reasons (
    reason_code varchar primary key,
    severity varchar,
    message_zh varchar
);

-- Figures and the returns register carry codes; these name them (scopes.csv,
-- return_statuses.csv) so the bureau can reword a label without touching SQL.
create table if not exists core.scopes (
    scope varchar primary key,
    label varchar
);

create table if not exists core.return_statuses (
    status varchar primary key,
    label varchar
);

create table if not exists core.placements (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    person_key varchar,
    gender varchar,
    birth_year integer,
    age_band varchar,
    categories varchar[],
    primary_category varchar,
    disability_type varchar,
    disability_grade varchar,
    channel varchar,
    channel_rollup varchar,
    placed_on date,
    monthly_income double,
    si_subsidy boolean,
    late_report boolean
);

create table if not exists core.training (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    project varchar,
    training_type varchar,
    start_on date,
    end_on date,
    trainees integer,
    completed integer,
    employed_after integer,
    partner varchar
);

create table if not exists core.events (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    event_name varchar,
    event_type varchar,
    held_on date,
    attendees integer,
    venue varchar
);

create table if not exists core.incubated (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    company varchar,
    credit_code varchar,
    incubated_on date,
    jobs integer,
    hardship_jobs integer
);

create table if not exists core.households (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    household_id varchar,
    head_key varchar,
    members integer,
    labour integer,
    identified_on date,
    status varchar,
    cleared_on date,
    cleared_channel varchar
);
