-- Open quarantined rows of the as-of year by reason, most frequent first.
select
    q.reason_code,
    q.message_zh,
    q.rows
from marts.quarantine_by_reason as q
order by q.rows desc, q.reason_code asc
