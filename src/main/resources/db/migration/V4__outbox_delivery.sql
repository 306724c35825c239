-- Delivery outbox, second step: one logical message per platform, attempts whose outcome is unknown,
-- and per-channel pacing.

-- A logical message (dedupe_key) may go out on several platforms (a team with a Slack and a Teams
-- channel): unique per platform.
alter table outbox_message drop constraint outbox_message_dedupe_key_key;
alter table outbox_message add constraint outbox_message_key unique (dedupe_key, platform);
create index outbox_message_key_idx on outbox_message (dedupe_key text_pattern_ops);

-- in_flight: claimed by a worker that has not recorded a result yet. A row claimed again while still
-- in flight belonged to a worker that died mid-send: the message may or may not have gone out, so the
-- transport first looks for it on the platform (claimed_at bounds the search).
alter table outbox_message add column in_flight boolean not null default false;
alter table outbox_message add column claimed_at timestamptz;

-- At most one message per pace key (platform, workspace, channel) per pace interval, across replicas.
create table outbox_pace (
    pace_key        varchar(2200) primary key,
    next_allowed_at timestamptz   not null
);

-- Backlog gauges (/q/metrics) count what is not sent yet or failed.
create index outbox_unsent_idx on outbox_message (status) where status <> 'sent';
