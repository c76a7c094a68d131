-- Which of a chunk's returns are on record already (loaded on an earlier night).
select on_record.return_id
from raw.returns as on_record
semi join incoming_returns on on_record.return_id = incoming_returns.return_id;
