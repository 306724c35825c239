package dev.yardstick.ingest;

import static dev.yardstick.Api.ingest;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ConcurrentIngestTest {

    @Inject
    DataSource ds;

    @Test
    void twoClientsSendingTheSameIdsAtOnceAreCountedOnce() throws Exception {
        String token = Api.ingestToken();
        String team = Api.team("race", "UTC");
        List<String> users = List.of(Api.member(team), Api.member(team), Api.member(team));
        String prefix = "race-" + Api.unique() + "-";
        String time = Instant.now().minusSeconds(120).toString();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add(Map.of("id", prefix + i, "time", time, "user", users.get(i % 3), "tool", "cursor",
                    "model", i % 2 == 0 ? "gpt-5" : "claude-sonnet-4-5", "inputTokens", 10, "costUsd", 0.01));
        }
        List<Map<String, Object>> reversed = new ArrayList<>(events);
        Collections.reverse(reversed);

        int rounds = 3;
        int accepted = 0;
        int duplicates = 0;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Map<String, Object>>> results = new ArrayList<>();
                for (List<Map<String, Object>> batch : List.of(events, reversed)) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return ingest(token).body(batch).post("/api/v1/usage-events")
                                .then().statusCode(202).extract().<Map<String, Object>>as(Map.class);
                    }));
                }
                start.countDown();
                for (Future<Map<String, Object>> f : results) {
                    Map<String, Object> r = f.get();
                    accepted += ((Number) r.get("accepted")).intValue();
                    duplicates += ((Number) r.get("duplicates")).intValue();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(500, accepted, "each id is accepted exactly once across all clients");
        assertEquals(500 * 2 * rounds - 500, duplicates);
        assertEquals(500, Db.scalar(ds, "select count(*) from usage_event_named where team_key = ?", team));
        assertEquals(500, Db.scalar(ds, "select sum(events) from usage_daily_all where team_key = ?", team));
        assertEquals(5000, Db.scalar(ds, "select sum(input_tokens) from usage_daily_all where team_key = ?", team));
        assertEquals(500, Db.scalar(ds, "select sum(events) from usage_team_daily_all where team_key = ?", team),
                "team rollup agrees with the member rollup");
        assertEquals(3,
                Db.scalar(ds, "select count(distinct member_id) from team_member_day_all where team_key = ?", team));
    }

    /**
     * Two ids are each recorded by another transaction that has not committed yet: the batch's first attempt waits
     * for one and is refused; its second, which probes every month but cannot see the other's uncommitted id, waits
     * for that one and is refused too; its third counts both as duplicates. Its new event is stored once, with a kind
     * that exists (the failed attempts' kinds were rolled back and not remembered).
     */
    @Test
    void idsStoredByTwoOtherTransactionsDuringTheBatchAreDuplicatesAfterTwoMoreAttempts() throws Exception {
        String token = Api.ingestToken();
        String team = Api.team("race-retry", "UTC");
        String user = Api.member(team);
        String id = "race-retry-" + Api.unique();
        Instant time = Instant.now().minusSeconds(60);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection first = holding(id + "-a", time); Connection second = holding(id + "-b", time)) {
            // with a new event of a new kind: the first attempt creates the kind, and rolls it back with the rest
            Future<Map<String, Object>> sent = pool.submit(() -> ingest(token)
                    .body(List.of(event(id + "-a", time, user, "cursor", 10),
                            event(id + "-b", time, user, "cursor", 20),
                            event(id + "-new", time, user, "codex", 7)))
                    .post("/api/v1/usage-events").then().statusCode(202).extract().<Map<String, Object>>as(Map.class));
            // ids are copied in key order: whichever of the two comes first blocks the first COPY
            int blocker = awaitBlocked();
            Connection firstHeld = blocker == pid(first) ? first : second;
            Connection secondHeld = firstHeld == first ? second : first;
            assertEquals(pid(firstHeld), blocker);
            firstHeld.commit();
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedBy(pid(secondHeld)));
            secondHeld.commit();
            Map<String, Object> r = sent.get();
            assertEquals(1, ((Number) r.get("accepted")).intValue());
            assertEquals(2, ((Number) r.get("duplicates")).intValue());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, Db.scalar(ds, "select count(*) from usage_event e join usage_kind k on k.id = e.kind"
                + " where k.team_key = ? and k.tool = 'codex'", team), "the new event names a kind that exists");
        assertEquals(7, Db.scalar(ds, "select sum(input_tokens) from usage_daily_all where team_key = ?", team),
                "the attempt that failed added nothing to the rollups; the one that succeeded added the new event");
    }

    private static Map<String, Object> event(String id, Instant time, String user, String tool, int input) {
        return Map.of("id", id, "time", time.toString(), "user", user, "tool", tool, "model", "gpt-5", "inputTokens",
                input, "costUsd", 0.01);
    }

    /** A connection whose open transaction has recorded {@code id} as an event of {@code time}'s day. */
    private Connection holding(String id, Instant time) throws Exception {
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c
                .prepareStatement("insert into usage_event_id (id) values (usage_event_id_of(md5(?)::uuid,"
                        + " (now() at time zone 'UTC')::date, (?::timestamptz at time zone 'UTC')::date))")) {
            ps.setString(1, id);
            ps.setString(2, time.toString());
            ps.executeUpdate();
        }
        return c;
    }

    private static int pid(Connection c) throws Exception {
        return c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    }

    /** The backend that blocks the batch's id COPY, once it is blocked. */
    private int awaitBlocked() {
        await().atMost(Duration.ofSeconds(20)).until(() -> Db.scalar(ds, "select count(*) from pg_stat_activity"
                + " where wait_event_type = 'Lock' and query like 'copy usage_event_id%'") > 0);
        return (int) Db.scalar(ds, "select (pg_blocking_pids(pid))[1] from pg_stat_activity"
                + " where wait_event_type = 'Lock' and query like 'copy usage_event_id%'");
    }

    private boolean blockedBy(int pid) {
        return Db.scalar(ds, "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                + " and query like 'copy usage_event_id%' and ? = any(pg_blocking_pids(pid))", pid) > 0;
    }
}
