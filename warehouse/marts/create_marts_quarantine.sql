-- Issue rows say where and why, never what: any long digit run that slipped into a
-- message (an ID or phone number) is masked before it reaches analysts. A count with
-- its unit (`1000001 行`, `列`, `个`) is not a personal value and stays readable; runs of
-- 15 digits and more (ID numbers, certificates) are masked whatever follows them.
create table analyst.marts.quarantine as
with quarantine as (
    select * from raw.quarantine
),

versions as (
    select * from core.return_versions($known_at::timestamp)
),

reasons as (
    select * from core.reasons
),

later_accepted as (
    select
        refused.return_id,
        count(accepted.return_id) > 0 as fixed
    from versions as refused
    left join versions as accepted
        on
            refused.station_code = accepted.station_code
            and refused.period = accepted.period
            and accepted.status = 'accepted'
            and refused.received_at <= accepted.received_at
    where refused.status <> 'accepted'
    group by refused.return_id
),

final as (
    select
        quarantine.file_name,
        quarantine.sheet,
        quarantine.row_number,
        quarantine.column_name,
        quarantine.reason_code,
        reasons.severity,
        regexp_replace(
            regexp_replace(quarantine.message, '[0-9]{15,}[0-9Xx]*', '******', 'g'),
            '[0-9]{6,}[0-9Xx]*(\s*)([^\s0-9Xx行列个条字]|$)',
            '******\1\2',
            'g'
        ) as message,
        versions.station_code,
        versions.period,
        versions.received_at,
        versions.return_id,
        versions.status as return_status,
        versions.is_current or not coalesce(later_accepted.fixed, true) as is_open
    from quarantine
    inner join versions on quarantine.return_id = versions.return_id
    left join reasons on quarantine.reason_code = reasons.reason_code
    left join later_accepted on quarantine.return_id = later_accepted.return_id
)

select * from final
order by received_at, file_name, sheet, row_number, reason_code;

comment on table analyst.marts.quarantine is
'隔离行及问题（不含个人信息） / Quarantined rows and issues (no personal values)';
comment on column analyst.marts.quarantine.file_name is '文件名 / File name as delivered';
comment on column analyst.marts.quarantine.sheet is '工作表（规范键名，空=文件级） / Sheet key (null = file level)';
comment on column analyst.marts.quarantine.row_number is 'Excel行号（空=表级或文件级） / Excel row number';
comment on column analyst.marts.quarantine.column_name is '列名（按站点所填表头） / Column as headed by the station';
comment on column analyst.marts.quarantine.reason_code is '问题代码（reasons.csv） / Reason code';
comment on column analyst.marts.quarantine.severity is '严重程度（error/warning/info） / Severity';
comment on column analyst.marts.quarantine.message is '问题说明 / Message for the station clerk';
comment on column analyst.marts.quarantine.station_code is '服务站编码 / Station code';
comment on column analyst.marts.quarantine.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.quarantine.received_at is '接收时间 / When the return was received';
comment on column analyst.marts.quarantine.return_id is '报表版本编号 / Return version id';
comment on column analyst.marts.quarantine.return_status is
'报表处理结果（accepted/held_back/rejected） / What became of the return';
comment on column analyst.marts.quarantine.is_open is
'问题仍未解决（属现行版本或其后无被接收的重报） / Still open: in the current version, or no accepted return since';
