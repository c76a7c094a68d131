-- raw.files records every file received. A byte-identical file under another name is
-- the same delivery: it gets its own row (outcome 'duplicate') but loads once, because
-- returns are keyed by content (raw.returns.return_id = sha256).
create table if not exists raw.files (
    sha256 varchar not null,
    file_name varchar not null,
    size bigint,
    received_at timestamp,
    station_code varchar,
    period varchar,
    outcome varchar,
    reason_code varchar,
    first_seen_run varchar,
    primary key (sha256, file_name)
);

-- One row per return ever received, whatever became of it; history is never updated
-- in place, so the current version is always derived (core.current_returns).
create table if not exists raw.returns (
    return_id varchar primary key,
    station_code varchar not null,
    period varchar not null,
    received_at timestamp not null,
    file_name varchar not null,
    status varchar not null check (status in ('accepted', 'held_back', 'rejected')),
    rows_received integer not null,
    rows_passed integer not null
);

create table if not exists raw.quarantine (
    return_id varchar not null,
    file_name varchar,
    sheet varchar,
    row_number integer,
    column_name varchar,
    reason_code varchar not null,
    message varchar
);

create table if not exists raw.bulletins (
    as_of date not null,
    known_at timestamp,
    data_version varchar not null,
    issue_no varchar not null,
    path varchar
);

-- The fingerprint of the pseudonym key every person_key and head_key here was made
-- with: HMAC-SHA256 of a fixed label under the key, never the key itself. One row, set
-- at first use; a run under another key refuses to start, `doorstep rekey` changes it.
create table if not exists raw.pseudonym_key (
    singleton boolean primary key default true check (singleton),
    fingerprint varchar not null
);

-- Columns added after the first release: `add column if not exists`, so a private DB
-- created by an earlier version gains them on its next connection, its rows kept.

-- The file's own modification time, for information only: copying, unzipping and
-- syncing keep or invent it, so received_at never comes from it (returns.md §6).
alter table raw.files add column if not exists mtime timestamp;

-- raw.bulletins is the register of published issues: one row per issue or edition
-- (更正版), in publication order (seq). Rows without a period were recorded by
-- versions that recorded every nightly render; they are not issues.
alter table raw.bulletins add column if not exists period varchar;
alter table raw.bulletins add column if not exists issue_number integer;
alter table raw.bulletins add column if not exists edition integer;
alter table raw.bulletins add column if not exists seq integer;
alter table raw.bulletins add column if not exists published_at timestamp;
alter table raw.bulletins add column if not exists code_version varchar;
alter table raw.bulletins add column if not exists file_name varchar;
alter table raw.bulletins add column if not exists sha256 varchar;
alter table raw.bulletins add column if not exists revises_seq integer;
