-- The register of published issues (raw.bulletins rows with a period): enough to
-- regenerate any of them with `doorstep bulletin --as-of … --known-at …` and to check
-- the bytes against sha256.
create table analyst.marts.bulletins as
with published as (
    select * from raw.bulletins
    where period is not null
),

final as (
    select
        seq,
        period,
        issue_no as issue,
        issue_number,
        edition,
        as_of,
        known_at,
        published_at,
        data_version,
        code_version,
        file_name,
        sha256
    from published
)

select * from final
order by seq;

comment on table analyst.marts.bulletins is
'已发布简报登记（每期、每个更正版一行） / Published bulletins: one row per issue or corrected edition';
comment on column analyst.marts.bulletins.seq is '发布顺序号 / Publication order';
comment on column analyst.marts.bulletins.period is '所报月份（YYYY-MM） / Month the issue reports on';
comment on column analyst.marts.bulletins.issue is '期号，如2024年第5期 / Issue, e.g. 2024年第5期';
comment on column analyst.marts.bulletins.issue_number is '年内期数 / Issue number within the year';
comment on column analyst.marts.bulletins.edition is '版次（1=首发，2起为更正版） / Edition (1 = first, 2+ = corrections)';
comment on column analyst.marts.bulletins.as_of is '统计截止日 / As-of date';
comment on column analyst.marts.bulletins.known_at is
'数据截至（简报所印时间，重现时作 --known-at） / Known-at as printed (pass as --known-at to regenerate)';
comment on column analyst.marts.bulletins.published_at is '发布时的运行时钟 / Run clock when published';
comment on column analyst.marts.bulletins.data_version is '数据版本 / Data version';
comment on column analyst.marts.bulletins.code_version is '程序版本 / Code version';
comment on column analyst.marts.bulletins.file_name is '文件（bulletins/下的相对路径） / File under bulletins/';
comment on column analyst.marts.bulletins.sha256 is '文件SHA-256 / sha256 of the PDF';
