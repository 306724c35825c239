-- Every change of a team's settings (docs/api.md#team-audit), written in the transaction of the change:
-- PUT /api/v1/teams/{key}, DELETE /api/v1/teams/{key} and the team settings form in chat.
-- actor: 'api:admin', or '<platform>:<email>' of the manager who changed it in chat ('slack:', 'teams:',
-- 'preview:'); erasure replaces the email by the person's anonymous id. via: api, slack, teams, preview.
-- changes: [{"field": "digestTime", "from": "09:00", "to": "10:00"}, ...], values as text, null for none.
create table team_audit (
    id       bigserial primary key,
    team_key varchar(64)  not null,
    at       timestamptz  not null default now(),
    actor    varchar(400) not null,
    via      varchar(16)  not null,
    changes  jsonb        not null
);

create index team_audit_team_idx on team_audit (team_key, id desc);
