-- What the spend produced, in depth (issue 20): pull requests closed unmerged or reverted, and deployments.
-- A pull request's outcome keeps its repository ("owner/name", lower-case), number and merge commit, so that a
-- revert can name the pull request it reverts (reverts_repository, reverts_number).
alter table outcome_event
    add column repository         varchar(200),
    add column number             integer,
    add column merge_sha          varchar(64),
    add column reverts_repository varchar(200),
    add column reverts_number     integer;
create index outcome_event_pr_idx on outcome_event (repository, number) where repository is not null;
create index outcome_event_merge_sha_idx on outcome_event (repository, merge_sha) where merge_sha is not null;

-- The GitHub deployment environments whose deployments count for the team (compared case-insensitively).
alter table team add column deploy_environments text[] not null default '{production,prod}';
