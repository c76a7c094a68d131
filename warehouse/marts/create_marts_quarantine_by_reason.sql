-- The bulletin's data-quality table: open error issues of the as-of year by reason.
create table analyst.marts.quarantine_by_reason as
with quarantine as (
    select * from analyst.marts.quarantine
),

reasons as (
    select * from core.reasons
),

open_rows as (
    select distinct
        return_id,
        sheet,
        row_number,
        reason_code
    from quarantine
    where
        is_open
        and severity = 'error'
        and (
            period between strftime($year_start::date, '%Y-%m')
            and strftime($as_of::date, '%Y-%m')
            -- A file rejected before its cover could be read has no period: count it
            -- in the year it arrived.
            or (
                not regexp_full_match(coalesce(period, ''), '[0-9]{4}-[0-9]{2}')
                and received_at >= $year_start::date
            )
        )
),

final as (
    select
        open_rows.reason_code,
        reasons.message_zh,
        count(*) as rows
    from open_rows
    left join reasons on open_rows.reason_code = reasons.reason_code
    group by open_rows.reason_code, reasons.message_zh
)

select * from final;

comment on table analyst.marts.quarantine_by_reason is
'本年未解决的隔离问题按原因汇总 / Open error issues of the as-of year by reason';
comment on column analyst.marts.quarantine_by_reason.reason_code is '问题代码 / Reason code';
comment on column analyst.marts.quarantine_by_reason.message_zh is '问题说明 / Reason message';
comment on column analyst.marts.quarantine_by_reason.rows is '问题数 / Issues (rows, or files for file-level reasons)';
