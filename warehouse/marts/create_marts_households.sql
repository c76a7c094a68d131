-- The household head appears only as a pseudonym; name and ID stay in the private DB.
create table analyst.marts.households as
with households as (
    select households.*
    from core.households as households
    inner join core.current_returns($known_at::timestamp) as current_returns
        on households.return_id = current_returns.return_id
),

final as (
    select
        station_code,
        period,
        return_id,
        household_id,
        head_key,
        members,
        labour,
        identified_on,
        status,
        cleared_on,
        cleared_channel
    from households
)

select * from final
order by station_code, period, household_id;

comment on table analyst.marts.households is
'零就业家庭登记（各站各月末状态，现行版本，已去标识） / Zero-employment household register at each month end, pseudonymised';
comment on column analyst.marts.households.station_code is '服务站编码 / Station code';
comment on column analyst.marts.households.period is '报告期（YYYY-MM） / Reporting month';
comment on column analyst.marts.households.return_id is '报表版本编号 / Return version id';
comment on column analyst.marts.households.household_id is '家庭编号 / Household number';
comment on column analyst.marts.households.head_key is
'户主化名（密钥HMAC） / Household head pseudonym (keyed HMAC)';
comment on column analyst.marts.households.members is '家庭人口 / Household members';
comment on column analyst.marts.households.labour is '劳动力人数 / Members able to work';
comment on column analyst.marts.households.identified_on is '认定日期 / Date identified';
comment on column analyst.marts.households.status is '状态（未清零/已清零） / Status (uncleared/cleared)';
comment on column analyst.marts.households.cleared_on is '清零日期 / Date cleared';
comment on column analyst.marts.households.cleared_channel is '清零方式（就业方式代码） / Channel that cleared it';
