-- Narrower raw usage events (issue 23's storage per event). A raw row repeated its team key, member, tool, model and
-- cost source as text (about 50 bytes); a person uses a handful of tools and models, so those five move to
-- usage_kind, a lookup table of a few rows per person (ledger.UsageKinds caches it in the service), and the raw row
-- keeps a 4-byte kind. Token counts become numeric: PostgreSQL stores an integer numeric in 3 to 9 bytes by its
-- digits (a count of 2,500 takes 5) instead of bigint's 8, and holds the ledger's largest count (10^12) all the same.
-- Rollups keep their text keys and bigint sums: nothing that reads them changes.
--
-- usage_event_named shows raw events with their names, for operators and for the statements that read raw rows.
-- Existing rows move into the new table, partition by partition, in Flyway's transaction.

create table usage_kind (
    id          integer generated always as identity primary key,
    team_key    varchar(64)  not null,
    member_id   bigint       not null,
    tool        varchar(32)  not null,
    model       varchar(200) not null,
    cost_source varchar(16)  not null,
    constraint usage_kind_names_key unique (team_key, member_id, tool, model, cost_source)
);

-- voids by member, the push/pull rule and erasure find a person's kinds
create index usage_kind_member_idx on usage_kind (member_id);

insert into usage_kind (team_key, member_id, tool, model, cost_source)
select distinct team_key, member_id, tool, model, cost_source from usage_event
order by 1, 2, 3, 4, 5;

alter table usage_event rename to usage_event_v25;
alter index usage_event_session_idx rename to usage_event_v25_session_idx;

create table usage_event (
    time               timestamptz    not null,
    kind               integer        not null,
    requests           integer        not null,
    void_id            bigint references event_void (id),
    live               boolean        not null default false,
    id_hash            uuid           not null,
    origin             "char"         not null,
    cost_usd           numeric(20, 8) not null,
    input_tokens       numeric(13, 0) not null,
    output_tokens      numeric(13, 0) not null,
    cache_read_tokens  numeric(13, 0) not null,
    cache_write_tokens numeric(13, 0) not null,
    session_id         varchar(200)
) partition by range (time);

create index usage_event_session_idx on usage_event (session_id) where session_id is not null;

do $$
declare
    p record;
    d date;
begin
    for p in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'usage_event_v25'::regclass order by c.relname loop
        d := to_date(substr(p.relname, length('usage_event_p') + 1), 'YYYYMMDD');
        execute format('alter table %I rename to %I', p.relname, 'usage_event_v25_p' || to_char(d, 'YYYYMMDD'));
        execute format('create table %I partition of usage_event for values from (%L) to (%L)',
                p.relname, d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
    end loop;
end
$$;

insert into usage_event (time, kind, requests, void_id, live, id_hash, origin, cost_usd, input_tokens, output_tokens,
                         cache_read_tokens, cache_write_tokens, session_id)
select e.time, k.id, e.requests, e.void_id, e.live, e.id_hash, e.origin, e.cost_usd, e.input_tokens, e.output_tokens,
       e.cache_read_tokens, e.cache_write_tokens, e.session_id
from usage_event_v25 e
join usage_kind k on (k.team_key, k.member_id, k.tool, k.model, k.cost_source)
                   = (e.team_key, e.member_id, e.tool, e.model, e.cost_source);

drop table usage_event_v25;

create view usage_event_named as
select e.time, e.id_hash, e.origin, k.team_key, k.member_id, k.tool, k.model, k.cost_source, e.input_tokens,
       e.output_tokens, e.cache_read_tokens, e.cache_write_tokens, e.requests, e.cost_usd, e.session_id, e.live,
       e.void_id, e.kind
from usage_event e
join usage_kind k on k.id = e.kind;
