-- Three layers in the private DB: raw (manifest, returns, quarantine, bulletins),
-- staging (typed rows, still personal) and core (pseudonymised, versioned by return).
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists core;
