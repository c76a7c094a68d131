-- Pseudonymise a chunk's placements (incoming_placements, as staged): keep the key and
-- coarse attributes derived from the ID number and certificate, never the numbers.
insert into core.placements
with staged as (
    select * from incoming_placements
),

channels as (
    select * from core.channels
),

derived as (
    select
        staged.*,
        try_strptime(substr(staged.id_number, 7, 8), '%Y%m%d')::date as birth_date,
        -- GB/T 26341 certificate: ID number + type digit (1-7) + grade digit (1-4);
        -- other shapes were only flagged, so their type and grade stay unknown.
        length(staged.disability_cert) = 20
        and substr(staged.disability_cert, 19, 1) between '1' and '7'
        and substr(staged.disability_cert, 20, 1) between '1' and '4' as cert_well_formed,
        strptime(staged.period || '-01', '%Y-%m-%d')::date as period_start
    from staged
),

final as (
    select
        derived.return_id,
        derived.station_code,
        derived.period,
        derived.row_number,
        derived.person_key,
        derived.gender,
        year(derived.birth_date) as birth_year,
        case
            when derived.birth_date is null or derived.placed_on is null then null
            when date_sub('year', derived.birth_date, derived.placed_on) < 16 then '<16'
            when date_sub('year', derived.birth_date, derived.placed_on) < 30 then '16-29'
            when date_sub('year', derived.birth_date, derived.placed_on) < 40 then '30-39'
            when date_sub('year', derived.birth_date, derived.placed_on) < 50 then '40-49'
            when date_sub('year', derived.birth_date, derived.placed_on) < 60 then '50-59'
            else '60+'
        end as age_band,
        derived.categories,
        derived.primary_category,
        case when derived.cert_well_formed then substr(derived.disability_cert, 19, 1) end
            as disability_type,
        case when derived.cert_well_formed then substr(derived.disability_cert, 20, 1) end
            as disability_grade,
        derived.channel,
        channels.channel_rollup,
        derived.placed_on,
        derived.monthly_income,
        derived.si_subsidy,
        -- 补报: placed before the reporting month, accepted with a flag.
        coalesce(derived.placed_on < derived.period_start, false) as late_report
    from derived
    left join channels on derived.channel = channels.channel
)

select * from final;
