-- OpenTelemetry (OTLP) intake: metric series state, which signal owns a session's usage, and
-- AI activity counters (pull requests and commits) that are not shipped work.

-- The last data point seen per metric series (metric name + point attributes + resource attributes,
-- hashed). Delta points at or before time_nanos are re-sends and are skipped; cumulative points are
-- turned into deltas against value (a new start_nanos or a smaller value is a counter reset).
create table otlp_series (
    series_key  varchar(64)      primary key,
    start_nanos bigint           not null,
    time_nanos  bigint           not null,
    value       double precision not null,
    seen_at     timestamptz      not null default now()
);

-- Which signal a tool's session is counted from. Logs win: when logs arrive for a session whose
-- usage came from metrics, the metric-derived usage events are removed and logs count from then on;
-- metrics for a session owned by logs are dropped.
create table otlp_session (
    tool       varchar(32)  not null,
    session_id varchar(200) not null,
    signal     varchar(8)   not null check (signal in ('logs', 'metrics')),
    seen_at    timestamptz  not null default now(),
    primary key (tool, session_id)
);

-- Metric-derived usage events carry ids starting 'otlpm:'; finding them by session must not cost the
-- rest of ingest anything, hence a partial index.
create index usage_event_otlpm_session_idx on usage_event (session_id) where id like 'otlpm:%';

-- Pull requests and commits reported by the coding tools (claude_code.pull_request.count,
-- claude_code.commit.count): activity with AI, not shipped work, so not in outcome totals.
-- day is the UTC day of the data point.
create table ai_activity_daily (
    member_id bigint      not null,
    tool      varchar(32) not null,
    day       date        not null,
    kind      varchar(16) not null check (kind in ('pull_request', 'commit')),
    count     bigint      not null,
    primary key (member_id, tool, day, kind)
);
