create table analyst.marts.events as
with events as (
    select * from core.current_events($known_at::timestamp)
),

final as (
    select
        station_code,
        period,
        return_id,
        event_name,
        event_type,
        held_on,
        attendees,
        venue
    from events
)

select * from final
order by station_code, period, held_on, event_name;

comment on table analyst.marts.events is
'创业活动（各站各月现行版本） / Entrepreneurship events from the current version of each station-month';
comment on column analyst.marts.events.station_code is '服务站编码 / Station code';
comment on column analyst.marts.events.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.events.return_id is '报表版本编号 / Return version id';
comment on column analyst.marts.events.event_name is '活动名称 / Event name';
comment on column analyst.marts.events.event_type is '活动类型 / Event type';
comment on column analyst.marts.events.held_on is '活动日期 / Date held';
comment on column analyst.marts.events.attendees is '参加人数 / Attendees';
comment on column analyst.marts.events.venue is '地点 / Venue';
