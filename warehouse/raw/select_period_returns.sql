-- How many returns were recorded for a month: a month nobody reported on gets no issue
-- by itself (an operator can still publish one with `doorstep publish`).
select count(*) as returns_recorded
from raw.returns
where period = $period;
