create table analyst.marts.incubated as
with incubated as (
    select incubated.*
    from core.incubated as incubated
    inner join core.current_returns($known_at::timestamp) as current_returns
        on incubated.return_id = current_returns.return_id
),

final as (
    select
        station_code,
        period,
        return_id,
        company,
        credit_code,
        incubated_on,
        jobs,
        hardship_jobs
    from incubated
)

select * from final
order by station_code, period, company;

comment on table analyst.marts.incubated is
'孵化企业（各站各月末状态，现行版本） / Incubated businesses at each month end, current versions';
comment on column analyst.marts.incubated.station_code is '服务站编码 / Station code';
comment on column analyst.marts.incubated.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.incubated.return_id is '报表版本编号 / Return version id';
comment on column analyst.marts.incubated.company is '企业名称 / Business name';
comment on column analyst.marts.incubated.credit_code is '统一社会信用代码 / Unified social credit code';
comment on column analyst.marts.incubated.incubated_on is '入孵日期 / Date incubation began';
comment on column analyst.marts.incubated.jobs is '带动就业人数 / Jobs provided';
comment on column analyst.marts.incubated.hardship_jobs is
'其中困难人员 / Of which held by hardship persons';
