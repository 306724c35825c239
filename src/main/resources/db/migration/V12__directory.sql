-- The directory (dev.yardstick.admin): people who left, when usage was last seen, deleted teams.

-- A person who left (DELETE /api/v1/members/{email}): no team, no direct messages, not counted as an
-- active member from then on. Cleared when they get a team again.
alter table member add column left_at timestamptz;
-- The time of the latest usage or outcome event seen for the member, kept to the hour: set by the
-- ledger's batch writer through dev.yardstick.admin.LastSeen, at most once an hour per member.
alter table member add column last_seen_at timestamptz;

-- A deleted team (DELETE /api/v1/teams/{key}): gone from lists and closed to new events and members,
-- while its history stays readable by key. PUT /api/v1/teams/{key} brings it back.
alter table team add column deleted_at timestamptz;
