-- Fold the analyst file's WAL into it before it is closed and renamed.
checkpoint analyst;
use memory;
detach analyst;
detach private;
