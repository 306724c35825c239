-- Slack Enterprise Grid (issue 22, Slack): an app installed org-wide has one installation, keyed by its enterprise
-- (slack_installation.team_id null); events and commands name the workspace they come from. Which enterprise a
-- workspace belongs to, as Slack's requests tell it, so a message to a workspace of the org is sent with the org-wide
-- installation's token. Owned by chat.slack; no personal data.
create table slack_workspace (
    team_id       varchar(32) primary key,
    enterprise_id varchar(32) not null,
    seen_at       timestamptz not null default now()
);
