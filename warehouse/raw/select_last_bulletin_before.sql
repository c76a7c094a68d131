-- The bulletin a new one revises: the latest published for an earlier as-of date.
select
    as_of,
    known_at,
    data_version,
    issue_no,
    path
from raw.bulletins
where as_of < $as_of
order by as_of desc, known_at desc
limit 1;
