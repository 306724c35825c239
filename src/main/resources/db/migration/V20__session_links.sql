-- The AI cost of a merged pull request and of a resolved ticket (issue 20, section 3).

-- Where a coding session worked: its repository ("owner/name", lower-case) and branch, as the session-start hook
-- (POST /api/v1/sessions) or OpenTelemetry resource attributes report them. One row per session, repository and
-- branch (a session may move branches); linked_at is when the link first arrived: the session's spend counts for
-- the branch from then on. Purged with the raw events.
create table session_link (
    session_id varchar(200) not null,
    repository varchar(200) not null,
    branch     varchar(255) not null,
    head_sha   varchar(64),
    linked_at  timestamptz  not null default now(),
    primary key (session_id, repository, branch)
);
create index session_link_branch_idx on session_link (repository, branch);
create index session_link_linked_at_idx on session_link (linked_at);

-- A session's spend over a time window, read when a pull request merges or a ticket is resolved.
create index usage_event_session_time_idx on usage_event (session_id, time) where session_id is not null;

-- A pull request's head branch; a resolved ticket's key (ENG-123); the spend of the sessions linked to either,
-- null when no session was linked.
alter table outcome_event
    add column branch      varchar(255),
    add column ticket_key  varchar(64),
    add column ai_cost_usd numeric(20, 8);
create index outcome_event_branch_idx on outcome_event (repository, branch) where branch is not null;
