-- The published figure rows, in the order the bulletin and `doorstep figures` show them.
select
    figure,
    as_of,
    known_at,
    scope,
    station,
    category,
    measure,
    value,
    text
from marts.figures
order by figure, scope, station nulls first, category nulls first, measure
