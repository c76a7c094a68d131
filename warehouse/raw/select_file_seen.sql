select count(*) > 0 as seen
from raw.files
where sha256 = $sha256;
