-- The latest known-at of anything published: a return recorded later must carry a
-- later received time, or that bulletin would no longer reproduce.
select max(known_at) as known_at
from raw.bulletins;
