package dev.yardstick.ledger;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Raw usage partitions: ids across partitions, dropping a day under ingest, compaction, the in-place upgrade. */
@QuarkusTest
class PartitionsTest {

    @Inject
    DataSource ds;
    @Inject
    UsagePartitions partitions;
    @Inject
    RollupCompaction compaction;
    @Inject
    RollupFold fold;

    private static Map<String, Object> event(String id, Instant time, String user, double cost) {
        return Map.of("id", id, "time", time.toString(), "user", user, "tool", "codex", "model", "gpt-5",
                "inputTokens", 100, "costUsd", cost);
    }

    private static Response post(String token, List<Map<String, Object>> events) {
        return ingest(token).body(events).post("/api/v1/usage-events");
    }

    private long teamCostCents(String team) {
        return Db.scalar(ds,
                "select coalesce(round(sum(cost_usd) * 100), 0) from usage_team_daily_all where team_key = ?",
                team);
    }

    /**
     * A closed month's id index, about 70 % full after random inserts, is rebuilt full once; the current month's is
     * left alone, and the rebuilt index still refuses an id twice.
     */
    @Test
    void aClosedMonthsIdIndexIsRebuiltFullOnce() {
        Db.update(ds, "create table usage_event_id_p200101 partition of usage_event_id for values"
                + " from (usage_event_id_of('00000000-0000-0000-0000-000000000000', '2001-01-01', '1970-01-01'))"
                + " to (usage_event_id_of('00000000-0000-0000-0000-000000000000', '2001-02-01', '1970-01-01'))");
        Db.update(ds, "create unique index usage_event_id_p200101_hash on usage_event_id_p200101"
                + " ((substring(uuid_send(id) from 5)))");
        Db.update(ds, "insert into usage_event_id (id)"
                + " select usage_event_id_of(gen_random_uuid(), '2001-01-15', '2001-01-15') from generate_series(1, 20000)");
        long before = Db.scalar(ds, "select pg_relation_size('usage_event_id_p200101_hash')");
        String current = "usage_event_id_p" + java.time.format.DateTimeFormatter.ofPattern("yyyyMM")
                .format(LocalDate.now(java.time.ZoneOffset.UTC)) + "_hash";

        List<String> rebuilt = partitions.repackClosedMonths(LocalDate.now(java.time.ZoneOffset.UTC));

        assertTrue(rebuilt.contains("usage_event_id_p200101_hash"), "rebuilt: " + rebuilt);
        assertFalse(rebuilt.contains(current), "the current month's index is left to grow");
        long after = Db.scalar(ds, "select pg_relation_size('usage_event_id_p200101_hash')");
        assertTrue(after < before * 0.85, "rebuilt full: " + before + " bytes before, " + after + " after");
        assertEquals(1, Db.scalar(ds, "select count(*) from pg_index where indexrelid ="
                + " 'usage_event_id_p200101_hash'::regclass and indisvalid and indisunique"));
        // the same 96 bits with another day: the same id
        assertThrows(IllegalStateException.class, () -> Db.update(ds, "insert into usage_event_id (id)"
                + " select usage_event_id_of(encode(usage_event_id_key(id) || '\\x00000000'::bytea, 'hex')::uuid,"
                + " '2001-01-20', '2001-01-20') from usage_event_id_p200101 limit 1"));
        assertFalse(partitions.repackClosedMonths(LocalDate.now(java.time.ZoneOffset.UTC))
                .contains("usage_event_id_p200101_hash"), "once");

        // a rebuild interrupted after the fillfactor was set leaves an invalid index: dropped, and rebuilt again
        // (a concurrent build that fails leaves its index invalid, as an interrupted REINDEX CONCURRENTLY does)
        assertThrows(IllegalStateException.class, () -> Db.update(ds, "create unique index concurrently"
                + " usage_event_id_p200101_hash_ccnew on usage_event_id_p200101 ((get_byte(uuid_send(id), 2)))"));
        assertEquals(1, Db.scalar(ds, "select count(*) from pg_index where indexrelid ="
                + " 'usage_event_id_p200101_hash_ccnew'::regclass and not indisvalid"));
        assertTrue(partitions.repackClosedMonths(LocalDate.now(java.time.ZoneOffset.UTC))
                .contains("usage_event_id_p200101_hash"), "rebuilt again after an interrupted rebuild");
        assertEquals(0,
                Db.scalar(ds, "select count(*) from pg_class where relname = 'usage_event_id_p200101_hash_ccnew'"));
        Db.update(ds, "drop table usage_event_id_p200101");
    }

    /**
     * A settled day's session index, filled by batches in no order, is rebuilt full once; a day that may still take
     * late events is left alone.
     */
    @Test
    void aSettledDaysSessionIndexIsRebuiltFullOnce() {
        LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
        LocalDate settled = today.minusDays(10);
        LocalDate open = today.minusDays(1);
        String index = "usage_event_p" + settled.toString().replace("-", "") + "_session_id_idx";
        String openIndex = "usage_event_p" + open.toString().replace("-", "") + "_session_id_idx";
        // rows of no kind (-1): no reader sees them
        String insert = "insert into usage_event (time, id_key, kind, session_id, figures)"
                + " select ?::date + g * interval '1 second', g, -1, 'repack-' || (g % 3000),"
                + " usage_figures(1, 0, 0, 0, 0, 0)"
                + " from generate_series(1, ?) g order by random()";
        Db.update(ds, insert, settled.toString(), 30000);
        Db.update(ds, insert, open.toString(), 100);
        try {
            long before = Db.scalar(ds, "select pg_relation_size(?::regclass)", index);

            List<String> rebuilt = partitions.repackSettledDays(today);

            assertTrue(rebuilt.contains(index), "rebuilt: " + rebuilt);
            assertFalse(rebuilt.contains(openIndex), "a day within the late-event window is left to grow");
            long after = Db.scalar(ds, "select pg_relation_size(?::regclass)", index);
            assertTrue(after < before * 0.85, "rebuilt full: " + before + " bytes before, " + after + " after");
            assertEquals(1,
                    Db.scalar(ds, "select count(*) from pg_index i join pg_inherits h on h.inhrelid = i.indexrelid"
                            + " where i.indexrelid = ?::regclass and i.indisvalid"
                            + " and h.inhparent = 'usage_event_session_idx'::regclass", index),
                    "still the parent's index");
            assertFalse(partitions.repackSettledDays(today).contains(index), "once");
        } finally {
            Db.update(ds, "delete from usage_event where kind = -1");
        }
    }

    @Test
    void aResendWithAnotherTimeInAnotherDaysPartitionIsADuplicate() {
        String token = Api.ingestToken();
        String team = Api.team("part", "UTC");
        String user = Api.member(team);
        String id = "re-" + Api.unique();
        Instant first = Instant.now().minus(3, ChronoUnit.DAYS);
        post(token, List.of(event(id, first, user, 2))).then().statusCode(202).body("accepted",
                org.hamcrest.Matchers.equalTo(1));
        // as if first received on an earlier day of this month: a month's partition holds an id once, whatever the day
        Db.update(ds, "update usage_event_id set id = usage_event_id_of(md5(?)::uuid,"
                + " date_trunc('month', now() at time zone 'UTC')::date, usage_event_id_day(id))"
                + " where usage_event_id_key(id) = substring(uuid_send(md5(?)::uuid) for 12)", id, id);
        // today, yesterday, 80 days back: other day partitions each time
        for (Instant t : List.of(Instant.now().minusSeconds(60), first.minus(1, ChronoUnit.DAYS),
                Instant.now().minus(80, ChronoUnit.DAYS))) {
            post(token, List.of(event(id, t, user, 5))).then().statusCode(202)
                    .body("accepted", org.hamcrest.Matchers.equalTo(0))
                    .body("duplicates", org.hamcrest.Matchers.equalTo(1));
        }
        assertEquals(1,
                Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)", id));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event_id where id = usage_event_id_of(md5(?)::uuid,"
                + " date_trunc('month', now() at time zone 'UTC')::date, ?::date)", id,
                first.atZone(ZoneOffset.UTC).toLocalDate().toString()),
                "the writer's row is PostgreSQL's usage_event_id_of(md5(id)::uuid, received_on, day)");
        assertEquals(200, teamCostCents(team));
        // the partition of its day holds it
        assertEquals("usage_event_p" + first.atZone(ZoneOffset.UTC).toLocalDate().toString().replace("-", ""),
                Db.string(ds,
                        "select tableoid::regclass::text from usage_event where id_key = usage_id_key(md5(?)::uuid)",
                        id));
    }

    @Test
    void anIdFirstReceivedInAnEarlierMonthIsADuplicate() {
        String token = Api.ingestToken();
        String team = Api.team("month", "UTC");
        String user = Api.member(team);
        String id = "month-" + Api.unique();
        LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).minusMonths(3);
        String partition = "usage_event_id_p" + month.toString().substring(0, 7).replace("-", "");
        Db.update(ds, "create table if not exists " + partition + " partition of usage_event_id for values from"
                + " (usage_event_id_of('00000000-0000-0000-0000-000000000000', '" + month + "', '1970-01-01')) to"
                + " (usage_event_id_of('00000000-0000-0000-0000-000000000000', '" + month.plusMonths(1)
                + "', '1970-01-01'))");
        Db.update(ds, "create unique index if not exists " + partition + "_hash on " + partition
                + " ((substring(uuid_send(id) from 5)))");
        Db.update(ds, "insert into usage_event_id (id) values (usage_event_id_of(md5(?)::uuid, ?::date, ?::date))", id,
                month.plusDays(3).toString(), month.plusDays(3).toString());
        post(token, List.of(event(id, Instant.now().minusSeconds(60), user, 4))).then().statusCode(202)
                .body("accepted", org.hamcrest.Matchers.equalTo(0))
                .body("duplicates", org.hamcrest.Matchers.equalTo(1));
        post(token, List.of(event(id + "-new", Instant.now().minusSeconds(60), user, 4))).then().statusCode(202)
                .body("accepted", org.hamcrest.Matchers.equalTo(1));
        assertEquals(400, teamCostCents(team));
        Db.update(ds, "drop table " + partition);
    }

    @Test
    void droppingAnExpiredDayWhileIngestRunsChangesNothingElse() throws Exception {
        String token = Api.ingestToken();
        String team = Api.team("drop", "UTC");
        String user = Api.member(team);
        String busy = Api.team("busy", "UTC");
        String busyUser = Api.member(busy);
        String u = Api.unique();
        // expired: 85 days back (inside the 90-day window, so ingest takes it; the test drops its day); kept: this week
        Instant expired = LocalDate.now(ZoneOffset.UTC).minusDays(85).atStartOfDay(ZoneOffset.UTC).toInstant()
                .plus(12, ChronoUnit.HOURS);
        Instant kept = Instant.now().minus(2, ChronoUnit.DAYS);
        post(token, List.of(event("old-" + u, expired, user, 1), event("new-" + u, kept, user, 3)))
                .then().statusCode(202).body("accepted", org.hamcrest.Matchers.equalTo(2));
        long teamBefore = teamCostCents(team);
        String summaryBefore = admin().get("/api/v1/teams/" + team + "/summary?from="
                + LocalDate.now(ZoneOffset.UTC).minusDays(100) + "&to=" + LocalDate.now(ZoneOffset.UTC))
                .then().statusCode(200).extract().asString();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            while (!stop.get() || batches.get() < 6) {
                int b = batches.get();
                List<Map<String, Object>> events = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    events.add(event("busy-" + u + "-" + b + "-" + i, Instant.now().minusSeconds(i * 3600L), busyUser,
                            0.01));
                }
                // every batch also repeats an id of the first batch: a duplicate throughout
                events.add(event("busy-" + u + "-0-0", Instant.now().minus(30, ChronoUnit.DAYS), busyUser, 9));
                Response r = post(token, events);
                if (r.statusCode() != 202) {
                    synchronized (failures) {
                        failures.add(r.statusCode() + " " + r.asString());
                    }
                } else {
                    accepted.addAndGet(r.jsonPath().getInt("accepted"));
                }
                batches.incrementAndGet();
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> batches.get() >= 3);
        partitions.dropBefore(expired.plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS));
        int atDrop = batches.get();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> batches.get() >= atDrop + 3);
        stop.set(true);
        load.get();

        assertEquals(List.of(), failures);
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)",
                "old-" + u));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event where id_key = usage_id_key(md5(?)::uuid)",
                "new-" + u));
        // dropped whole (the retention job may since have created it again, empty: the day is inside the window)
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_event where time >= ? and time < ?",
                java.sql.Timestamp.from(expired.truncatedTo(ChronoUnit.DAYS)),
                java.sql.Timestamp.from(expired.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS))));
        assertEquals(teamBefore, teamCostCents(team), "the rollups outlive the raw events");
        admin().get("/api/v1/teams/" + team + "/summary?from=" + LocalDate.now(ZoneOffset.UTC).minusDays(100)
                + "&to=" + LocalDate.now(ZoneOffset.UTC)).then().statusCode(200)
                .body(org.hamcrest.Matchers.equalTo(summaryBefore));
        assertEquals(batches.get() * 50, accepted.get(), "every new event of the busy team was stored once");
        assertEquals(batches.get() * 50,
                Db.scalar(ds, "select sum(events) from usage_team_daily_all where team_key = ?",
                        busy));
        // the dropped day's ids are still known (usage_event_id is dropped by month): a re-send stays a duplicate
        post(token, List.of(event("old-" + u, Instant.now().minusSeconds(30), user, 1), event("new-" + u,
                Instant.now().minusSeconds(30), user, 1))).then().statusCode(202)
                .body("duplicates", org.hamcrest.Matchers.equalTo(2));
        assertEquals(teamBefore, teamCostCents(team));
    }

    @Test
    void compactionFoldsASettledDaysShardsIntoOneRowPerKey() {
        String token = Api.ingestToken();
        String team = Api.team("compact", "UTC");
        String user = Api.member(team);
        String u = Api.unique();
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(RollupCompaction.LATE_DAYS + 2);
        Instant t = day.atStartOfDay(ZoneOffset.UTC).toInstant().plus(10, ChronoUnit.HOURS);
        for (int b = 0; b < 6; b++) {
            post(token, List.of(event("c-" + u + "-" + b, t.plusSeconds(b), user, 1.25))).then().statusCode(202);
        }
        // a shard row other than 0, as a void or retraction leaves (ingest folds into shard 0)
        long member = Db.scalar(ds, "select id from member where email = ?", user);
        Db.update(ds, """
                insert into usage_daily (team_key, day, member_id, tool, model, input_tokens, output_tokens,
                    cache_read_tokens, cache_write_tokens, cost_usd, requests, events, unpriced_events,
                    short_requests, short_input_tokens, shard)
                values (?, ?, ?, 'codex', 'gpt-5', 0, 0, 0, 0, 0, 0, 0, 0, 1, 10, 9)
                on conflict do nothing
                """, team, day, member);
        // and the team's, so that both rollups' routing figures (V21's short_* columns) must survive the fold
        Db.update(ds, """
                insert into usage_team_daily (team_key, day, tool, model, input_tokens, output_tokens,
                    cache_read_tokens, cache_write_tokens, cost_usd, requests, events, unpriced_events,
                    short_requests, short_input_tokens, shard)
                values (?, ?, 'codex', 'gpt-5', 0, 0, 0, 0, 0, 0, 0, 0, 1, 10, 9)
                on conflict do nothing
                """, team, day);
        String summary = admin().get("/api/v1/teams/" + team + "/summary?from=" + day + "&to=" + day)
                .then().statusCode(200).extract().asString();
        foldPending(team);

        assertTrue(compaction.compact(day) > 0);

        assertEquals(1, Db.scalar(ds, "select count(*) from usage_daily where team_key = ? and day = ?", team, day));
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_team_daily where team_key = ? and day = ?", team,
                day));
        assertEquals(0, Db.scalar(ds, "select count(*) from usage_daily where team_key = ? and day = ? and shard <> 0",
                team, day));
        assertEquals(750, teamCostCents(team));
        assertEquals(6, Db.scalar(ds, "select events from usage_daily where team_key = ? and day = ?", team, day));
        for (String table : List.of("usage_daily", "usage_team_daily")) {
            assertEquals(7, Db.scalar(ds, "select short_requests from " + table + " where team_key = ? and day = ?",
                    team, day), table);
            assertEquals(610, Db.scalar(ds, "select short_input_tokens from " + table
                    + " where team_key = ? and day = ?", team, day), table);
        }
        admin().get("/api/v1/teams/" + team + "/summary?from=" + day + "&to=" + day).then().statusCode(200)
                .body(org.hamcrest.Matchers.equalTo(summary));
        // a late event after compaction is folded into shard 0 too, and adds up
        post(token, List.of(event("c-" + u + "-late", t, user, 1))).then().statusCode(202);
        assertEquals(850, teamCostCents(team));
        foldPending(team);
        compaction.compact(day);
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_daily where team_key = ? and day = ?", team, day));
    }

    /** Waits until the team's pending usage is folded into the rollups (folding here too). */
    private void foldPending(String team) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            fold.fold();
            return Db.scalar(ds, "select count(*) from usage_pending p join usage_kind k on k.id = p.kind"
                    + " where k.team_key = ?", team) == 0;
        });
    }

    /** The last migration before V25, the raw partitions: the schema a database upgrades from. */
    private static String previousVersion() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            return String.valueOf(files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .filter(v -> v < 25).max().orElseThrow());
        }
    }

    @Test
    void aDatabaseOfThePreviousSchemaUpgradesInPlace() throws Exception {
        String schema = "upgrade_" + Api.unique().replaceAll("[^a-z0-9]", "").toLowerCase();
        // one connection of the pool for Flyway and the old rows, its session reset before it goes back
        Connection held = ds.getConnection();
        Connection kept = (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{Connection.class}, (proxy, m, args) -> m.getName().equals("close")
                        ? null
                        : m.invoke(held, args));
        DataSource one = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, m, args) -> m.getName().equals("getConnection")
                        ? kept
                        : m.invoke(ds, args));
        try {
            Flyway.configure().dataSource(one).schemas(schema).locations("classpath:db/migration")
                    .target(previousVersion()).load().migrate();
            try (Statement s = held.createStatement()) {
                s.execute("set search_path to " + schema);
                s.execute("insert into team (key, name) values ('t1', 'T1'), ('t2', 'T2')");
                s.execute("insert into member (email, team_key) values ('a@x.example', 't1'), ('b@x.example', 't2')");
                s.execute("""
                        insert into usage_event (id, time, received_at, member_id, team_key, tool, model, input_tokens,
                            output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, cost_source, requests,
                            session_id, live)
                        select 'ev-' || g, now() - (g % 40) * interval '1 day' - g * interval '1 second',
                            now() - (g % 40) * interval '1 day', 1 + g % 2, case when g % 2 = 0 then 't1' else 't2' end,
                            'claude-code', 'claude-sonnet-4-5', g, 2 * g, 3 * g, 0, g * 0.01, 'reported', 1,
                            case when g % 3 = 0 then 'sess-' || (g % 7) end, g % 5 = 0
                        from generate_series(1, 500) g
                        """);
                s.execute("""
                        insert into usage_event (id, time, received_at, member_id, team_key, tool, model, input_tokens,
                            output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, cost_source, requests)
                        values ('otlpm:codex:x', now() - interval '200 days', now() - interval '200 days', 1, 't1',
                            'codex', 'gpt-5', 1, 1, 0, 0, 0.5, 'computed', 1)
                        """);
                // two of them voided: they move to usage_event_voided with their void
                s.execute("""
                        insert into event_void (id, kind, voided_by, reason, id_count, events)
                        values (7, 'usage', 'admin', 'test traffic', 2, 2)
                        """);
                s.execute("update usage_event set void_id = 7 where id in ('ev-10', 'ev-21')");
            }
            Flyway.configure().dataSource(one).schemas(schema).locations("classpath:db/migration").load().migrate();
        } finally {
            try (Statement s = held.createStatement()) {
                s.execute("reset all");
            }
            held.close();
        }
        String q = schema + ".";
        assertEquals(499, Db.scalar(ds, "select count(*) from " + q + "usage_event"));
        assertEquals(501, Db.scalar(ds, "select count(*) from " + q + "usage_event_id"));
        assertEquals(Math.round((125250 - 10 - 21) * 0.01 * 100) + 50,
                Db.scalar(ds,
                        "select round(sum(cost_usd) * 100) from " + q + "usage_event_named where void_id is null"));
        assertEquals(2, Db.scalar(ds, "select count(*) from " + q + "usage_event_voided where void_id = 7"
                + " and id_key in (" + q + "usage_id_key(md5('ev-10')::uuid), " + q
                + "usage_id_key(md5('ev-21')::uuid))"
                + " and " + q + "usage_cost_usd(figures) in (0.10, 0.21)"));
        assertEquals(62750, Db.scalar(ds,
                "select sum(input_tokens) from " + q + "usage_event_named where team_key = 't1' and origin = 'e'"));
        assertEquals(62740,
                Db.scalar(ds, "select sum(input_tokens) from " + q + "usage_event_named where team_key = 't1'"
                        + " and origin = 'e' and void_id is null"));
        assertEquals(99,
                Db.scalar(ds, "select count(*) from " + q + "usage_event_named where live and void_id is null"));
        assertEquals(166,
                Db.scalar(ds, "select count(*) from " + q + "usage_event_named where session_id is not null"));
        assertEquals(165, Db.scalar(ds, "select count(*) from " + q + "usage_event where session_id <> ''"));
        // every row sits in the partition of its UTC day, and its id's hash is known
        assertEquals(0, Db.scalar(ds, "select count(*) from " + q + "usage_event where tableoid::regclass::text <> '"
                + schema + ".usage_event_p' || to_char(time at time zone 'UTC', 'YYYYMMDD')"
                + " and tableoid::regclass::text <> 'usage_event_p' || to_char(time at time zone 'UTC', 'YYYYMMDD')"));
        assertEquals(0, Db.scalar(ds, "select count(*) from " + q + "usage_event e where not exists (select 1 from "
                + q
                + "usage_event_id i where substring(" + q + "usage_event_id_key(i.id) for 8) = int8send(e.id_key)"
                + " and " + q + "usage_event_id_day(i.id) = (e.time at time zone 'UTC')::date)"));
        assertTrue(
                Db.scalar(ds,
                        "select count(*) from pg_inherits where inhparent = '" + q + "usage_event'::regclass") >= 208,
                "the partitions of the old rows' days, the last 90 days and a week ahead");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema " + schema + " cascade");
        }
    }
}
