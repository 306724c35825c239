-- A raw usage row's figures in one bytea (issue 23's storage per event): about 16 bytes less a row.
--
-- V30 kept requests as an integer (4 bytes) and the cost and four token counts as numerics, each with a one-byte
-- length and a two-byte header before its base-10000 digits: 3 bytes for 0, 5 for 2,500, 7 for 35,000 or for a cost
-- of 0.0123 USD; about 32 bytes on the bench's events. `figures` holds the six numbers as unsigned LEB128 varints
-- (7 bits a byte, the high bit set on every byte but a number's last), in this order:
--
--   requests, the cost in units of 10^-8 USD (numeric(20, 8)'s scale), input tokens, output tokens,
--   cache-read tokens, cache-write tokens
--
-- 1 byte for 0 to 127, 2 to 16,383, 3 to 2,097,151: about 14 bytes with its length on the bench's events. Every
-- number is at least 0 (ledger.Bounds: counts to 10^12, costs below 10^9 USD, so 10^17 units: all fit a bigint).
--
-- usage_figures(...) builds the bytea (this migration, operators' inserts, tests); usage_figures_read(figures)
-- returns the six numbers as a bigint[]; usage_cost_usd(figures) the cost. usage_event_named shows them as the
-- columns they were. ledger.UsageFigures writes and reads the same format in the service.
--
-- Existing rows move, partition by partition, in Flyway's transaction, voided ones too.

create function usage_figures(requests numeric, cost_usd numeric, input_tokens numeric, output_tokens numeric,
        cache_read_tokens numeric, cache_write_tokens numeric) returns bytea
    language plpgsql immutable strict parallel safe
    as $$
declare
    v bigint;
    b bytea := '';
begin
    foreach v in array array[requests, round(cost_usd * 100000000), input_tokens, output_tokens, cache_read_tokens,
                             cache_write_tokens]::bigint[] loop
        if v < 0 then
            raise exception 'a usage figure is negative: %', v;
        end if;
        while v >= 128 loop
            b := b || set_byte('\x00'::bytea, 0, (v & 127)::int | 128);
            v := v >> 7;
        end loop;
        b := b || set_byte('\x00'::bytea, 0, v::int);
    end loop;
    return b;
end
$$;

create function usage_figures_read(figures bytea) returns bigint[]
    language plpgsql immutable strict parallel safe
    as $$
declare
    r bigint[] := '{}';
    v bigint := 0;
    shift int := 0;
    b int;
begin
    for i in 0 .. length(figures) - 1 loop
        b := get_byte(figures, i);
        v := v | ((b & 127)::bigint << shift);
        if b < 128 then
            r := r || v;
            v := 0;
            shift := 0;
        else
            shift := shift + 7;
        end if;
    end loop;
    return r;
end
$$;

create function usage_cost_usd(figures bytea) returns numeric
    language sql immutable strict parallel safe
    as $$ select (usage_figures_read(figures))[2] * 0.00000001 $$;

drop view usage_event_named;

alter table usage_event rename to usage_event_v30;
alter index usage_event_session_idx rename to usage_event_v30_session_idx;

create table usage_event (
    time       timestamptz  not null,
    id_key     bigint       not null,
    kind       integer      not null,
    session_id varchar(200) not null default '',
    figures    bytea        not null
) partition by range (time);

-- A session's spend over a time window (session links), and the metric-derived events of a session (retraction):
-- both ask for session_id <> '' along with the session, so the planner may use this index.
create index usage_event_session_idx on usage_event (session_id) where session_id <> '';

do $$
declare
    p record;
    d date;
begin
    for p in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'usage_event_v30'::regclass order by c.relname loop
        d := to_date(substr(p.relname, length('usage_event_p') + 1), 'YYYYMMDD');
        execute format('alter index if exists %I rename to %I', p.relname || '_session_id_idx',
                'usage_event_v30_p' || to_char(d, 'YYYYMMDD') || '_session_id_idx');
        execute format('alter table %I rename to %I', p.relname, 'usage_event_v30_p' || to_char(d, 'YYYYMMDD'));
        execute format('create table %I partition of usage_event for values from (%L) to (%L)',
                p.relname, d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
    end loop;
end
$$;

insert into usage_event (time, id_key, kind, session_id, figures)
select time, id_key, kind, session_id,
       usage_figures(requests, cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
from usage_event_v30;

drop table usage_event_v30;

alter table usage_event_voided rename to usage_event_voided_v30;
alter index usage_event_voided_time_idx rename to usage_event_voided_v30_time_idx;
alter index usage_event_voided_void_idx rename to usage_event_voided_v30_void_idx;

-- Voided events stay stored, with their void (GET /api/v1/voids), until the raw retention deletes them.
create table usage_event_voided (
    void_id    bigint       not null references event_void (id),
    time       timestamptz  not null,
    id_key     bigint       not null,
    kind       integer      not null,
    session_id varchar(200) not null,
    figures    bytea        not null
);

insert into usage_event_voided (void_id, time, id_key, kind, session_id, figures)
select void_id, time, id_key, kind, session_id,
       usage_figures(requests, cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
from usage_event_voided_v30;

drop table usage_event_voided_v30;

create index usage_event_voided_time_idx on usage_event_voided (time);
create index usage_event_voided_void_idx on usage_event_voided (void_id);

-- Raw events with their names and figures, voided ones too (with their void), for operators and tests.
create view usage_event_named as
select e.time, e.id_key, k.origin, k.team_key, k.member_id, k.tool, k.model, k.cost_source,
       f[3] as input_tokens, f[4] as output_tokens, f[5] as cache_read_tokens, f[6] as cache_write_tokens,
       f[1] as requests, (f[2] * 0.00000001)::numeric(20, 8) as cost_usd,
       nullif(e.session_id, '') as session_id, k.live, e.void_id, e.kind
from (select time, id_key, kind, session_id, figures, null::bigint as void_id from usage_event
      union all
      select time, id_key, kind, session_id, figures, void_id from usage_event_voided) e
cross join lateral usage_figures_read(e.figures) f
join usage_kind k on k.id = e.kind;
