-- Vendor usage pullers (dev.yardstick.pull): one row per source with its cursor and last outcome.
-- cursor is the source's own position, for the day-based sources the last UTC day pulled completely.
create table connector_state (
    name            varchar(64)   primary key,
    cursor          varchar(200),
    last_run_at     timestamptz,
    last_success_at timestamptz,
    last_error      varchar(1000)
);

-- AI activity now comes from two sources: the OTLP receiver adds counts as they arrive ('otlp'),
-- the pullers set a whole day's count from the vendor's daily report ('pull', replaced on re-pull).
alter table ai_activity_daily add column source varchar(8) not null default 'otlp'
    check (source in ('otlp', 'pull'));
alter table ai_activity_daily drop constraint ai_activity_daily_pkey;
alter table ai_activity_daily add primary key (member_id, tool, day, kind, source);
