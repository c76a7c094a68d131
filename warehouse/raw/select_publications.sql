-- The register of published issues and editions, in publication order.
select
    seq,
    period,
    issue_number,
    issue_no,
    edition,
    as_of,
    known_at,
    published_at,
    data_version,
    code_version,
    file_name,
    sha256,
    path,
    revises_seq
from raw.bulletins
where period is not null
order by seq;
