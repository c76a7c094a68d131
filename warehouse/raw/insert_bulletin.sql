-- "Everything known" is pinned to the last return received, so the bulletin can be
-- reproduced later from history even after corrections arrive.
insert into raw.bulletins (as_of, known_at, data_version, issue_no, path)
values (
    $as_of,
    coalesce($known_at::timestamp, (select max(received_at) from raw.returns)),
    $data_version,
    $issue_no,
    $path
);
