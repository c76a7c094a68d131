create table analyst.marts.data_version as
with current_returns as (
    select * from core.current_returns($known_at::timestamp)
),

final as (
    select
        $data_version as data_version,
        $as_of::date as as_of,
        $published_known_at::timestamp as known_at,
        count(*) as returns_current,
        max(received_at) as last_received_at
    from current_returns
)

select * from final;

comment on table analyst.marts.data_version is
'数据版本（现行报表版本摘要） / Data version: digest of the current return versions';
comment on column analyst.marts.data_version.data_version is
'现行报表版本编号排序后的SHA-256 / sha256 over the sorted current return ids';
comment on column analyst.marts.data_version.as_of is '统计日 / As-of date';
comment on column analyst.marts.data_version.known_at is '数据截止时点（空=全部） / Known-at (null = everything)';
comment on column analyst.marts.data_version.returns_current is '现行报表版本数 / Current return versions';
comment on column analyst.marts.data_version.last_received_at is '最近接收时间 / Latest receipt included';
