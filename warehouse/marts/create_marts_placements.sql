-- Only the current version of each station-month as known at $known_at counts.
create table analyst.marts.placements as
with placements as (
    select * from core.current_placements($known_at::timestamp)
),

final as (
    select
        station_code,
        period,
        return_id,
        row_number,
        person_key,
        gender,
        birth_year,
        age_band,
        categories,
        primary_category,
        disability_type,
        disability_grade,
        channel,
        channel_rollup,
        placed_on,
        monthly_income,
        si_subsidy,
        late_report
    from placements
)

select * from final
order by station_code, period, placed_on, person_key;

comment on table analyst.marts.placements is
'帮扶就业台账（各站各月现行版本，已去标识） / Placements from the current version of each station-month, pseudonymised';
comment on column analyst.marts.placements.station_code is '服务站编码 / Station code';
comment on column analyst.marts.placements.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.placements.return_id is
'报表版本编号（文件SHA-256） / Return version id (sha256 of the file)';
comment on column analyst.marts.placements.row_number is
'报表中的行号 / Row number in the return''s sheet';
comment on column analyst.marts.placements.person_key is
'人员化名（身份证号码的密钥HMAC，不可还原） / Person pseudonym: keyed HMAC of the ID number';
comment on column analyst.marts.placements.gender is '性别 / Gender';
comment on column analyst.marts.placements.birth_year is '出生年份 / Year of birth';
comment on column analyst.marts.placements.age_band is '就业时年龄段 / Age band at placement';
comment on column analyst.marts.placements.categories is
'人员类别代码（可多个） / Hardship category codes (one or more)';
comment on column analyst.marts.placements.primary_category is
'主要人员类别（第一个） / Primary hardship category (the first listed)';
comment on column analyst.marts.placements.disability_type is
'残疾类别（残疾人证第19位） / Disability type (certificate digit 19)';
comment on column analyst.marts.placements.disability_grade is
'残疾等级（残疾人证第20位） / Disability grade (certificate digit 20)';
comment on column analyst.marts.placements.channel is '就业方式代码 / Employment channel code';
comment on column analyst.marts.placements.channel_rollup is
'就业方式汇总代码 / Employment channel rolled up for reporting';
comment on column analyst.marts.placements.placed_on is '就业日期 / Date placed into work';
comment on column analyst.marts.placements.monthly_income is '月收入（元） / Monthly income (yuan)';
comment on column analyst.marts.placements.si_subsidy is
'是否享受社保补贴 / Receives the social-insurance subsidy';
comment on column analyst.marts.placements.late_report is
'补报（就业日期早于报告期） / Late report: placed before the reporting month';
