-- Microsoft Teams: conversation references of the bot, and Teams ids on teams and members.

-- Where the bot can reach people and channels, as the Bot Framework told us (conversationUpdate,
-- installationUpdate and every message). One row per conversation; refreshed on every activity.
create table teams_conversation (
    conversation_id   varchar(512) primary key,
    service_url       varchar(512) not null,
    tenant_id         varchar(64),
    conversation_type varchar(16)  not null,
    aad_object_id     varchar(64),
    user_id           varchar(256),
    team_id           varchar(512),
    channel_id        varchar(512),
    updated_at        timestamptz  not null default now()
);
-- A member's 1:1 chat with the bot.
create index teams_conversation_personal_idx on teams_conversation (aad_object_id, updated_at)
    where conversation_type = 'personal';
create index teams_conversation_channel_idx on teams_conversation (channel_id);

-- The Teams channel (conversation id) where a team's digest goes, and the Workflows webhook of the
-- digest-only tier.
alter table team add column teams_channel_id varchar(512);
alter table team add column teams_webhook_url varchar(2048);
-- The member's Azure AD (Entra) object id, as the Bot Framework sends it in from.aadObjectId.
alter table member add column teams_user_id varchar(64) unique;
