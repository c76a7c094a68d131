-- Every file received so far, by content and name: the nightly ingest skips these unread.
-- A file counts as seen only when its return committed (or it never loads: a copy or an
-- ignored file), so a manifest line left without its return — by versions before the two
-- were written in one transaction — gets the return read again instead of lost for good.
select
    files.sha256,
    files.file_name
from raw.files as files
where
    files.outcome not in ('accepted', 'held_back', 'rejected')
    or files.outcome is null
    or exists (
        select 1 from raw.returns as loaded
        where loaded.return_id = files.sha256
    )
