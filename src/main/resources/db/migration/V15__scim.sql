-- SCIM 2.0 provisioning (dev.yardstick.scim, through dev.yardstick.admin.Provisioning): the id an identity
-- provider knows each person (User) and team (Group) by, and the externalId it sent, kept as given.

-- Every member has one from the start, so that people already known (from usage, Slack or an import)
-- can be found and linked by the identity provider. A deleted User gets a new one: the old id is gone.
alter table member add column scim_id uuid not null default gen_random_uuid();
alter table member add constraint member_scim_id_key unique (scim_id);
alter table member add column scim_external_id varchar(512);

-- A Group's id stays the team's for ever, also across a rename.
alter table team add column scim_id uuid not null default gen_random_uuid();
alter table team add constraint team_scim_id_key unique (scim_id);
alter table team add column scim_external_id varchar(512);
