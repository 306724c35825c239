-- Scoped ingest tokens (docs/api.md#ingest-tokens): what a token may send. All null: unscoped, as
-- before. scope_kinds lists the endpoints' kinds, comma-separated (usage, outcome, otlp, sessions;
-- null: all); scope_team or scope_user (never both) limits whose events it may send.
-- issued_via: 'api' (POST /api/v1/ingest-tokens) or 'chat' (a person's own token from
-- "ai-spend connect"; running it again revokes that person's previous one, and only that one).
alter table ingest_token
    add column scope_kinds varchar(64),
    add column scope_team  varchar(64),
    add column scope_user  varchar(320),
    add column issued_via  varchar(8) not null default 'api',
    add constraint ingest_token_scope_one_subject check (scope_team is null or scope_user is null),
    add constraint ingest_token_issued_via check (issued_via in ('api', 'chat'));

-- At most one active chat-issued token per person.
create unique index ingest_token_chat_active_idx on ingest_token (scope_user)
    where issued_via = 'chat' and revoked_at is null;
