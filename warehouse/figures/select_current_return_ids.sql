-- The data version is a digest of exactly the return versions the figures read.
select return_id
from core.current_returns($known_at::timestamp)
order by return_id;
