create table analyst.marts.returns_register as
with register as (
    select * from core.returns_register(
        $as_of::date, $known_at::timestamp, $on_time_day, $due_at::timestamp
    )
),

statuses as (
    select * from core.return_statuses
),

final as (
    select
        register.station_code,
        register.period,
        register.status,
        statuses.label as status_label,
        register.file_name,
        register.received_at,
        register.rows_received,
        register.rows_accepted,
        register.rows_quarantined,
        register.return_id,
        register.is_current
    from register
    left join statuses on register.status = statuses.status
)

select * from final
order by station_code, period, received_at nulls first;

comment on table analyst.marts.returns_register is
'报表登记簿：应报站月（建站当月至统计月）的每次报送及缺报 / Returns register: every delivery for expected station-months, and missing ones';
comment on column analyst.marts.returns_register.station_code is '服务站编码 / Station code';
comment on column analyst.marts.returns_register.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.returns_register.status is
'报送状态编码（名称见status_label） / Status code: on_time, late, resubmitted, missing, not_yet_due, rejected, held_back';
comment on column analyst.marts.returns_register.status_label is
'报送状态：按时/逾期/重报/缺报/未到期/退回/暂缓 / Status: on time, late, resubmitted, missing, not yet due, rejected, held back';
comment on column analyst.marts.returns_register.file_name is
'文件名（缺报、未到期为空） / File name (null when missing or not yet due)';
comment on column analyst.marts.returns_register.received_at is
'接收时间（doorstep记录该文件的时间，北京时间） / When doorstep recorded it (Beijing time)';
comment on column analyst.marts.returns_register.rows_received is '接收行数 / Data rows received';
comment on column analyst.marts.returns_register.rows_accepted is '入库行数 / Rows accepted';
comment on column analyst.marts.returns_register.rows_quarantined is '隔离行数 / Rows quarantined';
comment on column analyst.marts.returns_register.return_id is '报表版本编号 / Return version id';
comment on column analyst.marts.returns_register.is_current is
'是否该站该月现行版本 / Is the current version of the station-month';
