-- New usage reaches the rollups in two steps (ledger.RollupFold). A batch appends what it adds, summed per kind and
-- day, to usage_pending: plain rows, no index, no conflict check (about a tenth of the cost of adding to the rollups'
-- keys in place). A fold, about every second, moves all pending rows into usage_daily, usage_team_daily and
-- team_member_day in one statement. Readers read the *_all views below: the folded rollups and the pending rows
-- together, so a summary is exact the moment a batch commits, whether or not it was folded yet.
create table usage_pending (
    day                      date           not null, -- the team's day, as in usage_daily
    -- usage_kind's id; no foreign key: its check would run for every row, and kinds are never deleted
    kind                     integer        not null,
    active                   boolean        not null, -- counts the member active that day (not a leaver)
    input_tokens             bigint         not null,
    output_tokens            bigint         not null,
    cache_read_tokens        bigint         not null,
    cache_write_tokens       bigint         not null,
    requests                 bigint         not null,
    events                   bigint         not null,
    unpriced_events          bigint         not null,
    short_requests           bigint         not null,
    short_input_tokens       bigint         not null,
    short_output_tokens      bigint         not null,
    short_cache_read_tokens  bigint         not null,
    short_cache_write_tokens bigint         not null,
    cost_usd                 numeric(20, 8) not null
);

-- Rows live about a second; where autovacuum runs, it keeps up with the deletes (the fold also vacuums the table
-- itself after many of them, for servers where autovacuum is off).
alter table usage_pending set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 20000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 20000);

-- The pending rows with their kinds' names, summed per kind and day in a materialized CTE: one scan of
-- usage_pending per query whatever plan the rest gets (the rows are few, about a second of ingest), never one per
-- kind. The views below add them to the rollups.
create view usage_pending_named as
with p as materialized (select day, kind,
                            sum(input_tokens)::bigint as input_tokens,
                            sum(output_tokens)::bigint as output_tokens,
                            sum(cache_read_tokens)::bigint as cache_read_tokens,
                            sum(cache_write_tokens)::bigint as cache_write_tokens,
                            sum(requests)::bigint as requests,
                            sum(events)::bigint as events,
                            sum(unpriced_events)::bigint as unpriced_events,
                            sum(short_requests)::bigint as short_requests,
                            sum(short_input_tokens)::bigint as short_input_tokens,
                            sum(short_output_tokens)::bigint as short_output_tokens,
                            sum(short_cache_read_tokens)::bigint as short_cache_read_tokens,
                            sum(short_cache_write_tokens)::bigint as short_cache_write_tokens,
                            sum(cost_usd) as cost_usd
                        from usage_pending group by day, kind)
select k.team_key, p.day, k.member_id, k.tool, k.model, p.input_tokens, p.output_tokens, p.cache_read_tokens,
       p.cache_write_tokens, p.requests, p.events, p.unpriced_events, p.short_requests, p.short_input_tokens,
       p.short_output_tokens, p.short_cache_read_tokens, p.short_cache_write_tokens, p.cost_usd
from p join usage_kind k on k.id = p.kind;

create view usage_daily_all as
select team_key, day, member_id, tool, model, input_tokens, output_tokens, cache_read_tokens,
       cache_write_tokens, requests, events, unpriced_events, short_requests, short_input_tokens,
       short_output_tokens, short_cache_read_tokens, short_cache_write_tokens, cost_usd
from usage_daily
union all
select team_key, day, member_id, tool, model, input_tokens, output_tokens, cache_read_tokens,
       cache_write_tokens, requests, events, unpriced_events, short_requests, short_input_tokens,
       short_output_tokens, short_cache_read_tokens, short_cache_write_tokens, cost_usd
from usage_pending_named;

create view usage_team_daily_all as
select team_key, day, tool, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, requests,
       events, unpriced_events, short_requests, short_input_tokens, short_output_tokens,
       short_cache_read_tokens, short_cache_write_tokens, cost_usd
from usage_team_daily
union all
select team_key, day, tool, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, requests,
       events, unpriced_events, short_requests, short_input_tokens, short_output_tokens,
       short_cache_read_tokens, short_cache_write_tokens, cost_usd
from usage_pending_named;

create view team_member_day_all as
select team_key, day, member_id
from team_member_day
union all
(with p as materialized (select distinct day, kind from usage_pending where active)
 select k.team_key, p.day, k.member_id
 from p join usage_kind k on k.id = p.kind);

-- The raw rows' void_id names its void without a foreign key: the key's trigger cost about 0.35 us a row on every
-- COPY (about 17 % of it), and deleting a void that voided nothing made PostgreSQL scan every raw partition for
-- references (void_id has no index). Only the void path writes void_id, in the transaction that records the void.
alter table usage_event drop constraint usage_event_void_id_fkey;
