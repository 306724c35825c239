-- Raw usage events partitioned by UTC day of their time (declarative partitioning, no extension): the retention
-- drops a day's partition whole instead of deleting its rows (ledger.UsagePartitions, run by the retention job).
-- A unique index of a partitioned table must include the partition key, so the promise that an id counts once,
-- whatever time a re-send carries, moves to usage_event_id: the MD5 of each stored id, partitioned by the UTC month
-- the id was first received, every month's partition probed on insert (a handful of index probes).
--
-- Narrower than before: no received_at (nothing reads it), no text id: its MD5 as a uuid (id_hash, what voids by
-- id and retractions find rows by) and its origin (the id prefixes the product reads, ledger.UsageWriter.ORIGINS:
-- 'm' otlpm: metric-derived OpenTelemetry usage, 'l' otlp: OpenTelemetry request logs, 'p' pull: vendor pullers,
-- 'd' demo:, 'e' every other id); no primary key on the id (usage_event_id holds 16 bytes per id instead), no time index (a day is a partition: time ranges prune partitions), one session index
-- instead of two (the metric-derived events' partial index was a subset of it).
-- Existing rows move into their day's partition, their ids into usage_event_id.

alter table usage_event rename to usage_event_v1;
drop index usage_event_time_idx;
drop index usage_event_otlpm_session_idx;
drop index usage_event_session_time_idx;
alter table usage_event_v1 drop constraint usage_event_pkey;

create table usage_event (
    time               timestamptz    not null,
    member_id          bigint         not null,
    input_tokens       bigint         not null,
    output_tokens      bigint         not null,
    cache_read_tokens  bigint         not null,
    cache_write_tokens bigint         not null,
    void_id            bigint references event_void (id),
    requests           integer        not null,
    live               boolean        not null default false,
    id_hash            uuid           not null,
    origin             "char"         not null,
    team_key           varchar(64)    not null,
    tool               varchar(32)    not null,
    model              varchar(200)   not null,
    cost_usd           numeric(20, 8) not null,
    cost_source        varchar(16)    not null,
    session_id         varchar(200)
) partition by range (time);

-- A session's spend over a time window (session links), and the metric-derived events of a session (retraction).
create index usage_event_session_idx on usage_event (session_id) where session_id is not null;

-- id_hash = md5(id)::uuid. received_on: the UTC day the id was first stored; its month is the partition.
-- day: the UTC day of the event's time, which names its raw partition (voids by id find their day here).
-- No key on the parent (it would have to include received_on, and so would let a month hold an id twice, once
-- per day of receipt): each month's partition has a unique index on id_hash alone (16-byte keys, 8 bytes
-- narrower per id), created with the partition (here and by ledger.UsagePartitions).
create table usage_event_id (
    id_hash     uuid not null,
    received_on date not null,
    day         date not null
) partition by range (received_on);

do $$
declare
    first_day date;
    d date;
    m date;
begin
    select least(coalesce(min(time at time zone 'UTC')::date, current_date), current_date - 90)
        into first_day from usage_event_v1;
    d := first_day;
    while d <= (now() at time zone 'UTC')::date + 7 loop
        execute format('create table %I partition of usage_event for values from (%L) to (%L)',
                'usage_event_p' || to_char(d, 'YYYYMMDD'), d::text || ' 00:00:00+00',
                (d + 1)::text || ' 00:00:00+00');
        d := d + 1;
    end loop;
    select date_trunc('month', least(coalesce(min(received_at at time zone 'UTC')::date, current_date),
            current_date))::date into m from usage_event_v1;
    while m <= date_trunc('month', (now() at time zone 'UTC')::date + 31)::date loop
        execute format('create table %I partition of usage_event_id for values from (%L) to (%L)',
                'usage_event_id_p' || to_char(m, 'YYYYMM'), m, (m + interval '1 month')::date);
        execute format('create unique index %I on %I (id_hash)', 'usage_event_id_p' || to_char(m, 'YYYYMM')
                || '_hash', 'usage_event_id_p' || to_char(m, 'YYYYMM'));
        m := (m + interval '1 month')::date;
    end loop;
end
$$;

insert into usage_event (time, member_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, void_id,
                         requests, live, id_hash, origin, team_key, tool, model, cost_usd, cost_source, session_id)
select time, member_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, void_id, requests, live,
       md5(id)::uuid,
       case when starts_with(id, 'otlpm:') then 'm' when starts_with(id, 'otlp:') then 'l'
            when starts_with(id, 'pull:') then 'p' when starts_with(id, 'demo:') then 'd' else 'e' end,
       team_key, tool, model, cost_usd, cost_source, session_id
from usage_event_v1;

insert into usage_event_id (id_hash, received_on, day)
select md5(id)::uuid, (least(received_at, now()) at time zone 'UTC')::date, (time at time zone 'UTC')::date
from usage_event_v1;

drop table usage_event_v1;
