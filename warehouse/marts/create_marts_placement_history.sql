-- Every version ever received (up to $known_at), so analysts can see what changed.
create table analyst.marts.placement_history as
with versions as (
    select * from core.return_versions($known_at::timestamp)
),

placements as (
    select * from core.placements
),

final as (
    select
        placements.station_code,
        placements.period,
        placements.return_id,
        versions.status as return_status,
        versions.version_no,
        versions.received_at,
        versions.superseded_at,
        versions.is_current,
        placements.person_key,
        placements.gender,
        placements.birth_year,
        placements.age_band,
        placements.categories,
        placements.primary_category,
        placements.disability_type,
        placements.disability_grade,
        placements.channel,
        placements.channel_rollup,
        placements.placed_on,
        placements.monthly_income,
        placements.si_subsidy,
        placements.late_report
    from placements
    inner join versions on placements.return_id = versions.return_id
)

select * from final
order by station_code, period, version_no, placed_on, person_key;

comment on table analyst.marts.placement_history is
'帮扶就业台账全部版本（含被重报替换的版本） / Placements of every return version, including superseded ones';
comment on column analyst.marts.placement_history.station_code is '服务站编码 / Station code';
comment on column analyst.marts.placement_history.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.placement_history.return_id is
'报表版本编号（文件SHA-256） / Return version id (sha256 of the file)';
comment on column analyst.marts.placement_history.return_status is
'报表处理结果（accepted/held_back/rejected） / What became of the return';
comment on column analyst.marts.placement_history.version_no is
'该站该月第几次报送 / Delivery number for the station-month';
comment on column analyst.marts.placement_history.received_at is '接收时间 / When the return was received';
comment on column analyst.marts.placement_history.superseded_at is
'被重报替换的时间（空=未被替换） / When a later accepted return replaced it (null = not replaced)';
comment on column analyst.marts.placement_history.is_current is '是否现行版本 / Is the current version';
comment on column analyst.marts.placement_history.person_key is
'人员化名（身份证号码的密钥HMAC，不可还原） / Person pseudonym: keyed HMAC of the ID number';
comment on column analyst.marts.placement_history.gender is '性别 / Gender';
comment on column analyst.marts.placement_history.birth_year is '出生年份 / Year of birth';
comment on column analyst.marts.placement_history.age_band is '就业时年龄段 / Age band at placement';
comment on column analyst.marts.placement_history.categories is
'人员类别代码（可多个） / Hardship category codes (one or more)';
comment on column analyst.marts.placement_history.primary_category is
'主要人员类别（第一个） / Primary hardship category (the first listed)';
comment on column analyst.marts.placement_history.disability_type is '残疾类别 / Disability type';
comment on column analyst.marts.placement_history.disability_grade is '残疾等级 / Disability grade';
comment on column analyst.marts.placement_history.channel is '就业方式代码 / Employment channel code';
comment on column analyst.marts.placement_history.channel_rollup is
'就业方式汇总代码 / Channel rolled up for reporting';
comment on column analyst.marts.placement_history.placed_on is '就业日期 / Date placed into work';
comment on column analyst.marts.placement_history.monthly_income is '月收入（元） / Monthly income (yuan)';
comment on column analyst.marts.placement_history.si_subsidy is
'是否享受社保补贴 / Receives the social-insurance subsidy';
comment on column analyst.marts.placement_history.late_report is '补报 / Late report';
