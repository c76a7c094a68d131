insert into core.training
select
    return_id,
    station_code,
    period,
    row_number,
    project,
    training_type,
    start_on,
    end_on,
    trainees,
    completed,
    employed_after,
    partner
from incoming_training;
