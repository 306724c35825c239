-- Webhook intake (GitHub, Linear, Jira): a team may own repositories, so that a merged PR whose author
-- is not a known member still counts for the team. Entries are GitHub "owner/name", stored lower-case.
alter table team add column repositories text[] not null default '{}';
create index team_repositories_idx on team using gin (repositories);
