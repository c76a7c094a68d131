-- Typed rows exactly as Contract 2 hands them over. Personal data stays here, in the
-- private DB only; person_key is added on load so core never needs the ID number.
create table if not exists staging.placements (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    name varchar,
    gender varchar,
    id_number varchar,
    id_raw varchar,
    categories varchar[],
    primary_category varchar,
    disability_cert varchar,
    channel varchar,
    employer varchar,
    job varchar,
    placed_on date,
    monthly_income double,
    si_subsidy boolean,
    phone varchar,
    note varchar,
    person_key varchar,
    -- unknown columns the station added, header → text (JSON); kept, never used
    extra varchar
);

create table if not exists staging.training (
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
    partner varchar,
    note varchar,
    -- unknown columns the station added, header → text (JSON); kept, never used
    extra varchar
);

create table if not exists staging.events (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    event_name varchar,
    event_type varchar,
    held_on date,
    attendees integer,
    venue varchar,
    -- unknown columns the station added, header → text (JSON); kept, never used
    extra varchar
);

create table if not exists staging.incubated (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    company varchar,
    credit_code varchar,
    incubated_on date,
    jobs integer,
    hardship_jobs integer,
    -- unknown columns the station added, header → text (JSON); kept, never used
    extra varchar
);

create table if not exists staging.households (
    return_id varchar not null,
    station_code varchar not null,
    period varchar not null,
    row_number integer,
    household_id varchar,
    head_name varchar,
    head_id_number varchar,
    members integer,
    labour integer,
    identified_on date,
    status varchar,
    cleared_on date,
    cleared_channel varchar,
    head_key varchar,
    -- unknown columns the station added, header → text (JSON); kept, never used
    extra varchar
);
