-- Narrower raw usage rows (issue 23's storage per event): about 18 bytes less a row.
--
-- * id_key: the first 64 bits of the id's MD5, not all 128. usage_event_id keeps the whole hash and decides what counts
--   once; the raw row's key only finds an event's row again within the days usage_event_id names (voids by id) and
--   names the id row a retraction frees (with its day). usage_id_key(md5(id)::uuid) gives it.
-- * No null bitmap (8 bytes a row once any column is null): voided events move to usage_event_voided, with their
--   void, instead of carrying a void_id that is null in every other row; "no session" is ''.
-- * The origin (the id prefix the event came with) and whether the event went into the live figures move to its kind
--   (usage_kind): a person's events come from a source or two, live or backfilled, so kinds grow by a few rows
--   while every raw row loses 2 bytes.
-- * Columns ordered so that none needs padding.
--
-- Existing rows move, partition by partition, in Flyway's transaction: the others into the new usage_event, voided ones
-- into usage_event_voided.

create function usage_id_key(id_hash uuid) returns bigint
    language sql immutable strict parallel safe
    as $$ select ('x' || translate(left(id_hash::text, 18), '-', ''))::bit(64)::bigint $$;

drop view usage_event_named;

alter table usage_kind add column origin "char" not null default 'e';
alter table usage_kind add column live boolean not null default false;
alter table usage_kind drop constraint usage_kind_names_key;
alter table usage_kind add constraint usage_kind_names_key
    unique (team_key, member_id, tool, model, cost_source, origin, live);
insert into usage_kind (team_key, member_id, tool, model, cost_source, origin, live)
select distinct k.team_key, k.member_id, k.tool, k.model, k.cost_source, e.origin, e.live
from usage_event e
join usage_kind k on k.id = e.kind
order by 1, 2, 3, 4, 5, 6, 7
on conflict do nothing;

alter table usage_event rename to usage_event_v28;
alter index usage_event_session_idx rename to usage_event_v28_session_idx;

create table usage_event (
    time               timestamptz    not null,
    id_key             bigint         not null,
    kind               integer        not null,
    requests           integer        not null,
    cost_usd           numeric(20, 8) not null,
    input_tokens       numeric(13, 0) not null,
    output_tokens      numeric(13, 0) not null,
    cache_read_tokens  numeric(13, 0) not null,
    cache_write_tokens numeric(13, 0) not null,
    session_id         varchar(200)   not null default ''
) partition by range (time);

-- A session's spend over a time window (session links), and the metric-derived events of a session (retraction):
-- both ask for session_id <> '' along with the session, so the planner may use this index.
create index usage_event_session_idx on usage_event (session_id) where session_id <> '';

-- Voided events stay stored, with their void (GET /api/v1/voids), until the raw retention deletes them: few rows, one
-- table, deleted by time like the raw outcome events.
create table usage_event_voided (
    void_id            bigint         not null references event_void (id),
    time               timestamptz    not null,
    id_key             bigint         not null,
    kind               integer        not null,
    requests           integer        not null,
    cost_usd           numeric(20, 8) not null,
    input_tokens       numeric(13, 0) not null,
    output_tokens      numeric(13, 0) not null,
    cache_read_tokens  numeric(13, 0) not null,
    cache_write_tokens numeric(13, 0) not null,
    session_id         varchar(200)   not null
);
create index usage_event_voided_time_idx on usage_event_voided (time);
create index usage_event_voided_void_idx on usage_event_voided (void_id);

do $$
declare
    p record;
    d date;
begin
    for p in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'usage_event_v28'::regclass order by c.relname loop
        d := to_date(substr(p.relname, length('usage_event_p') + 1), 'YYYYMMDD');
        execute format('alter table %I rename to %I', p.relname, 'usage_event_v28_p' || to_char(d, 'YYYYMMDD'));
        execute format('create table %I partition of usage_event for values from (%L) to (%L)',
                p.relname, d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
    end loop;
end
$$;

create temporary table kind_v30 on commit drop as
select o.id as old, e.origin, e.live, n.id as new
from (select distinct kind, origin, live from usage_event_v28) e
join usage_kind o on o.id = e.kind
join usage_kind n on (n.team_key, n.member_id, n.tool, n.model, n.cost_source, n.origin, n.live)
                   = (o.team_key, o.member_id, o.tool, o.model, o.cost_source, e.origin, e.live);

insert into usage_event (time, id_key, kind, requests, cost_usd, input_tokens, output_tokens, cache_read_tokens,
                         cache_write_tokens, session_id)
select e.time, usage_id_key(e.id_hash), m.new, e.requests, e.cost_usd, e.input_tokens, e.output_tokens,
       e.cache_read_tokens, e.cache_write_tokens, coalesce(e.session_id, '')
from usage_event_v28 e
join kind_v30 m on (m.old, m.origin, m.live) = (e.kind, e.origin, e.live)
where e.void_id is null;

insert into usage_event_voided (void_id, time, id_key, kind, requests, cost_usd, input_tokens, output_tokens,
                                cache_read_tokens, cache_write_tokens, session_id)
select e.void_id, e.time, usage_id_key(e.id_hash), m.new, e.requests, e.cost_usd, e.input_tokens, e.output_tokens,
       e.cache_read_tokens, e.cache_write_tokens, coalesce(e.session_id, '')
from usage_event_v28 e
join kind_v30 m on (m.old, m.origin, m.live) = (e.kind, e.origin, e.live)
where e.void_id is not null;

drop table usage_event_v28;

-- Raw events with their names, voided ones too (with their void), for operators and tests.
create view usage_event_named as
select e.time, e.id_key, k.origin, k.team_key, k.member_id, k.tool, k.model, k.cost_source, e.input_tokens,
       e.output_tokens, e.cache_read_tokens, e.cache_write_tokens, e.requests, e.cost_usd,
       nullif(e.session_id, '') as session_id, k.live, null::bigint as void_id, e.kind
from usage_event e
join usage_kind k on k.id = e.kind
union all
select e.time, e.id_key, k.origin, k.team_key, k.member_id, k.tool, k.model, k.cost_source, e.input_tokens,
       e.output_tokens, e.cache_read_tokens, e.cache_write_tokens, e.requests, e.cost_usd,
       nullif(e.session_id, '') as session_id, k.live, e.void_id, e.kind
from usage_event_voided e
join usage_kind k on k.id = e.kind;
