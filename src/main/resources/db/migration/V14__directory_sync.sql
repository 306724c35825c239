-- Teams kept in step with Slack user groups (dev.yardstick.admin.SlackGroupSync).

-- The Slack user group (S0123ABCD) whose members are the team's members; null: the team is kept by hand.
alter table team add column slack_usergroup_id varchar(64);

-- The latest runs of the sync (GET /api/v1/directory/sync), newest kept: who was added to a team, moved between
-- teams or moved out to no team, and what went wrong. Emails in here are erased with the person.
create table directory_sync_run (
    id          bigserial    primary key,
    started_at  timestamptz  not null,
    finished_at timestamptz  not null,
    added       jsonb        not null default '[]',
    moved       jsonb        not null default '[]',
    removed     jsonb        not null default '[]',
    errors      jsonb        not null default '[]'
);
