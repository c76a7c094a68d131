-- The published figure rows, in the order the bulletin and `doorstep figures` show them
-- (a figure's scopes by their label, as `compute_figures` lists them).
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
order by figure, scope_label, station nulls first, category nulls first, measure
