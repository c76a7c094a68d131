-- The last bulletin published: the latest as-of date, and of that the latest known-at.
select
    as_of,
    known_at,
    data_version,
    issue_no,
    path
from raw.bulletins
order by as_of desc, known_at desc nulls last
limit 1;
