-- The stored fingerprint, or no row (a new warehouse, or one from before fingerprints).
select fingerprint
from raw.pseudonym_key;
