-- Runaway detection, "local first, shared on suspicion" (dev.yardstick.watch.Watcher): each replica
-- adds up the usage it ingests in memory and writes per-minute figures to usage_session_minute only
-- for sessions some replica suspects.

-- Replicas watching usage, each refreshing its row every few seconds: their number divides the
-- runaway lines a replica checks its own share of a session against.
create unlogged table watch_replica (
    id      varchar(64) primary key,
    seen_at timestamptz not null
);

-- Sessions some replica found near a runaway line: from then on every replica writes its figures of
-- them to usage_session_minute. Rows older than two days are purged.
create table watch_session (
    member_id   bigint       not null,
    session_key varchar(240) not null,
    created_at  timestamptz  not null default now(),
    primary key (member_id, session_key)
);
create index watch_session_created_idx on watch_session (created_at);
