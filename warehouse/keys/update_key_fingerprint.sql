update raw.pseudonym_key
set fingerprint = $fingerprint
where singleton;
