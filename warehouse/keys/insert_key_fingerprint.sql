insert into raw.pseudonym_key (singleton, fingerprint)
values (true, $fingerprint);
