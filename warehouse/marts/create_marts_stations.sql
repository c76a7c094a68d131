create table analyst.marts.stations as
with stations as (
    select * from core.stations
),

final as (
    select
        station_code,
        name,
        street,
        opened_on,
        kind
    from stations
)

select * from final
order by station_code;

comment on table analyst.marts.stations is
'服务站名册（区人社局登记） / Station registry kept by the district bureau';
comment on column analyst.marts.stations.station_code is '服务站编码 / Stable station code';
comment on column analyst.marts.stations.name is '服务站名称 / Station name (Chinese)';
comment on column analyst.marts.stations.street is '所属街道（镇） / Street or town';
comment on column analyst.marts.stations.opened_on is '建站日期 / Date the station opened';
comment on column analyst.marts.stations.kind is
'站点类型（community/incubator/disability/training） / Station kind';
