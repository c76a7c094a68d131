select count(*) > 0 as present
from raw.returns
where return_id = $return_id;
