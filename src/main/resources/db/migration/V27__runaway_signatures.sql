-- Runaway alerts that are right (issue 21).

-- What a runaway alert was raised on, in words and in event time: the one sentence naming the evidence
-- ("the same 48k-token request 212 times in 9 minutes, no prompt from you since 01:12"), the moment of usage
-- (event time) at which the rule held, and the session's cost in the 15 minutes to it.
alter table alert add column evidence text;
alter table alert add column evidence_at timestamptz;
alter table alert add column cost_15_usd numeric(14, 4);

-- "It's intended", learned (dev.yardstick.watch.IntendedBaselines): per person, tool, model and pattern, the
-- highest 15-minute cost of a session they said was intended. A loop signature of the same kind alerts that person
-- again only at twice that. Personal: erased with the person (WatchPersonalData).
create table runaway_intended (
    member_id   bigint         not null references member (id),
    tool        varchar(32)    not null,
    model       varchar(200)   not null,
    pattern     varchar(16)    not null,
    cost_15_usd numeric(14, 4) not null,
    updated_at  timestamptz    not null,
    primary key (member_id, tool, model, pattern)
);

-- The team lines become ceilings for the unmistakable: new defaults well above healthy heavy use. Teams still on
-- the old defaults (both of them) move to the new ones; a team that chose its own lines keeps them.
alter table team alter column runaway_cost_usd set default 100;
alter table team alter column runaway_requests set default 1000;
update team set runaway_cost_usd = 100, runaway_requests = 1000
where runaway_cost_usd = 25 and runaway_requests = 300;
