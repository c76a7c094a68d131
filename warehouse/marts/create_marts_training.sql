create table analyst.marts.training as
with training as (
    select * from core.current_training($known_at::timestamp)
),

final as (
    select
        station_code,
        period,
        return_id,
        project,
        training_type,
        start_on,
        end_on,
        trainees,
        completed,
        employed_after,
        partner
    from training
)

select * from final
order by station_code, period, start_on, project;

comment on table analyst.marts.training is
'技能培训（各站各月现行版本） / Training courses from the current version of each station-month';
comment on column analyst.marts.training.station_code is '服务站编码 / Station code';
comment on column analyst.marts.training.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.training.return_id is '报表版本编号 / Return version id';
comment on column analyst.marts.training.project is '培训项目 / Training project';
comment on column analyst.marts.training.training_type is '培训类型 / Training type';
comment on column analyst.marts.training.start_on is '开班日期 / Course start date';
comment on column analyst.marts.training.end_on is '结业日期 / Course end date';
comment on column analyst.marts.training.trainees is '培训人数 / Trainees';
comment on column analyst.marts.training.completed is '结业人数 / Completed the course';
comment on column analyst.marts.training.employed_after is '结业后就业人数 / Employed after the course';
comment on column analyst.marts.training.partner is '合作机构 / Partner organisation';
