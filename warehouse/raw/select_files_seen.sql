-- Every file received so far, by content and name: the nightly ingest skips these unread.
select
    sha256,
    file_name
from raw.files
