-- Periodic jobs that run once per period across every replica on this database (dev.yardstick.jobs).
-- A replica runs a job only after claiming its row: the run is due and no other replica holds the lease.
create table cluster_job (
    name             varchar(100)  primary key,
    next_run_at      timestamptz   not null default now(),
    locked_until     timestamptz,
    locked_by        varchar(200),
    runs             bigint        not null default 0,
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    last_error       varchar(1000)
);
