-- An id's row is one uuid (issue 23's storage per event): 8 bytes less an id. A row of a uuid and two dates took
-- 24 bytes of data (48 with its header); a row of one uuid takes 16 (40). The uuid carries all three:
--
--   bytes 0-1   the month the id was first received, counted from January 2000 (the partition key)
--   bytes 2-3   the UTC day of the event's time, counted from 1970-01-01 (voids by id find the event's day here)
--   bytes 4-15  the first 96 bits of the id's MD5
--
-- Each month's partition has a unique index on bytes 4-15 (the expression substring(uuid_send(id) from 5)), so an
-- id counts once in a month whatever day it names; ledger.UsageWriter probes every month's index for the ids of a
-- batch, as before. 96 bits: among the 1.8 billion ids kept at the full scale of docs/scaling.md, the chance of two
-- ids sharing them is about 2 in 10^11.
--
-- usage_event_id_of(md5(id)::uuid, received_on, day) builds a row; usage_event_id_day(id) and
-- usage_event_id_key(id) read it (for operators and tests). Existing rows move, month by month, in Flyway's
-- transaction.

create function usage_event_id_of(hash uuid, received_on date, day date) returns uuid
    language sql immutable strict parallel safe
    as $$
    select encode(substring(int4send(((extract(year from received_on)::int - 2000) * 12
                                     + extract(month from received_on)::int - 1)) from 3)
                  || substring(int4send(day - date '1970-01-01') from 3)
                  || substring(uuid_send(hash) for 12), 'hex')::uuid
    $$;

create function usage_event_id_day(id uuid) returns date
    language sql immutable strict parallel safe
    as $$ select date '1970-01-01' + (get_byte(uuid_send(id), 2) * 256 + get_byte(uuid_send(id), 3)) $$;

create function usage_event_id_key(id uuid) returns bytea
    language sql immutable strict parallel safe
    as $$ select substring(uuid_send(id) from 5) $$;

alter table usage_event_id rename to usage_event_id_v25;

create table usage_event_id (
    id uuid not null
) partition by range (id);

do $$
declare
    p record;
    m date;
begin
    for p in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'usage_event_id_v25'::regclass order by c.relname loop
        m := to_date(substr(p.relname, length('usage_event_id_p') + 1) || '01', 'YYYYMMDD');
        execute format('alter index if exists %I rename to %I', p.relname || '_hash', 'usage_event_id_v25_p'
                || to_char(m, 'YYYYMM') || '_hash');
        execute format('alter table %I rename to %I', p.relname, 'usage_event_id_v25_p' || to_char(m, 'YYYYMM'));
        execute format('create table %I partition of usage_event_id for values from (%L) to (%L)',
                p.relname, usage_event_id_of('00000000-0000-0000-0000-000000000000', m, '1970-01-01'),
                usage_event_id_of('00000000-0000-0000-0000-000000000000', (m + interval '1 month')::date,
                        '1970-01-01'));
        execute format('create unique index %I on %I ((substring(uuid_send(id) from 5)))', p.relname || '_hash',
                p.relname);
    end loop;
end
$$;

insert into usage_event_id (id)
select usage_event_id_of(id_hash, received_on, day) from usage_event_id_v25;

drop table usage_event_id_v25;
