-- incoming_quarantine holds the issue rows of one return, registered by load_return.
insert into raw.quarantine
select
    $return_id as return_id,
    file_name,
    sheet,
    row_number,
    column_name,
    reason_code,
    message
from incoming_quarantine;
