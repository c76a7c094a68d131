-- Open quarantined rows of the as-of year by reason.
select
    reason_code,
    message_zh,
    rows
from marts.quarantine_by_reason
order by marts.quarantine_by_reason.rows desc, marts.quarantine_by_reason.reason_code
