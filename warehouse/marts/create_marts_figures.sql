-- published_figures is compute_figures() for this publish, registered by publish.py.
create table analyst.marts.figures as
with figures as (
    select * from published_figures
),

scopes as (
    select * from core.scopes
),

final as (
    select
        figures.figure,
        figures.as_of,
        figures.known_at,
        figures.scope,
        scopes.label as scope_label,
        figures.station,
        figures.category,
        figures.measure,
        figures.value,
        figures.text
    from figures
    left join scopes on figures.scope = scopes.scope
)

select * from final;

comment on table analyst.marts.figures is
'区级指标（F01–F13，统计日与数据截止时点见列） / District figures F01–F13 for the as-of date and known-at time';
comment on column analyst.marts.figures.figure is '指标编号 / Figure id (reference/figures.csv)';
comment on column analyst.marts.figures.as_of is '统计日 / As-of date';
comment on column analyst.marts.figures.known_at is
'数据截止时点（空=发布时全部已知数据） / Data known at (null = everything known at publish)';
comment on column analyst.marts.figures.scope is
'口径编码：ytd/month/since_opening/period_end（名称见scope_label） / Scope code (named in scope_label)';
comment on column analyst.marts.figures.scope_label is
'口径：本年累计/本月/建站以来/期末 / Scope as the bulletin names it';
comment on column analyst.marts.figures.station is '服务站编码（空=全区） / Station code (null = district)';
comment on column analyst.marts.figures.category is '分组成员（空=合计） / Breakdown member (null = total)';
comment on column analyst.marts.figures.measure is '度量 / What the value counts';
comment on column analyst.marts.figures.value is '数值 / Value';
comment on column analyst.marts.figures.text is '文字表述或状态 / Narrative form or status label';
