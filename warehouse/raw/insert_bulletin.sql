-- One published issue or edition, numbered in publication order (seq).
insert into raw.bulletins (
    as_of, known_at, data_version, issue_no, path, period, issue_number, edition, seq,
    published_at, code_version, file_name, sha256, revises_seq
)
values (
    $as_of,
    $known_at,
    $data_version,
    $issue_no,
    $path,
    $period,
    $issue_number,
    $edition,
    (select coalesce(max(seq), 0) + 1 from raw.bulletins),
    $published_at,
    $code_version,
    $file_name,
    $sha256,
    $revises_seq
);
