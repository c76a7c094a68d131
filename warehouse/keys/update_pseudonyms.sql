-- Replace every pseudonym by the one the new key makes of the same ID number
-- ($rekeyed: old_key → new_key, registered by warehouse.pseudonyms.rekey). One transaction.
update staging.placements
set person_key = rekeyed.new_key
from rekeyed
where staging.placements.person_key = rekeyed.old_key;

update core.placements
set person_key = rekeyed.new_key
from rekeyed
where core.placements.person_key = rekeyed.old_key;

update staging.households
set head_key = rekeyed.new_key
from rekeyed
where staging.households.head_key = rekeyed.old_key;

update core.households
set head_key = rekeyed.new_key
from rekeyed
where core.households.head_key = rekeyed.old_key;
