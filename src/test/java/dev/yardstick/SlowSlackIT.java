package dev.yardstick;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.chat.slack.FakeSlack;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Three packaged replicas on one database, and a Slack that takes 10 to 15 seconds to answer each
 * {@code chat.postMessage} (the message shows in the channel's history only once answered) and
 * sometimes drops the connection after posting: 20 digests make exactly 20 posts; 20 more make
 * exactly 20 more when one replica is killed (SIGKILL) while Slack holds one of its posts.
 */
class SlowSlackIT {

    private static final int TEAMS = 20;
    private static final String[] TOKENS = {"xoxb-replica-a", "xoxb-replica-b", "xoxb-replica-c"};

    @Test
    void threeReplicasPostEachDigestOnceWhenSlackIsSlowEvenWhenOneIsKilledMidSend() throws Exception {
        FakeSlack slack = new FakeSlack();
        slack.slowPosts(Duration.ofSeconds(10), Duration.ofSeconds(15), 0.25, 7);
        ExecutorService clients = Executors.newFixedThreadPool(TEAMS);
        List<PackagedService> replicas = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String jdbc = pg.getJdbcUrl("postgres", "postgres");
            for (String token : TOKENS) {
                // the lease twice the send timeout, which is longer than Slack's slowest answer
                replicas.add(PackagedService.start("slow-slack-it", PackagedService.env(
                        PackagedService.database(jdbc), PackagedService.slack(slack),
                        Map.of("SLACK_BOT_TOKEN", token, "YARDSTICK_DIGEST_ENABLED", "false",
                                "YARDSTICK_OUTBOX_SEND_TIMEOUT", "20s", "YARDSTICK_OUTBOX_LEASE", "40s",
                                "YARDSTICK_JOBS_OUTBOX_EVERY", "1s"))));
            }
            replicas.forEach(PackagedService::awaitReady);
            String token = replicas.get(0).admin().body(Map.of("name", "slow")).post("/api/v1/ingest-tokens").then()
                    .statusCode(201).extract().path("token");
            phase(slack, replicas, jdbc, token, "slow", false, clients);
            phase(slack, replicas, jdbc, token, "kill", true, clients);
        } finally {
            clients.shutdownNow();
            for (PackagedService r : replicas) {
                if (r.alive()) {
                    r.kill();
                }
            }
            slack.stop();
        }
    }

    /** Sends the digests of 20 new teams ({@code prefix0..19}), killing replica b mid-send if asked. */
    private static void phase(FakeSlack slack, List<PackagedService> replicas, String jdbc, String token,
            String prefix, boolean kill, ExecutorService clients) throws InterruptedException {
        PackagedService a = replicas.get(0);
        LocalDate lastMonday = LocalDate.now(ZoneOffset.UTC)
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(1);
        String week = dev.yardstick.digest.DigestService.isoWeek(lastMonday);
        int callsBefore = slack.calls("chat.postMessage").size();
        int droppedBefore = slack.calls("chat.postMessage:dropped").size();
        int checksBefore = slack.calls("conversations.history").size();
        long sentBefore = outbox(jdbc)[0];
        for (int t = 0; t < TEAMS; t++) {
            String key = prefix + t;
            a.admin().body(Map.of("name", key, "slackChannelId", channel(key))).put("/api/v1/teams/" + key).then()
                    .statusCode(201);
            for (int i = 0; i < 3; i++) {
                String email = key + "-" + i + "@example.com";
                a.admin().body(Map.of("team", key)).put("/api/v1/members/" + email).then().statusCode(201);
                a.ingest(token).body(Map.of("id", key + "-" + i, "time",
                        lastMonday.atTime(10, i).toInstant(ZoneOffset.UTC).toString(), "user", email, "tool",
                        "codex", "model", "gpt-5", "costUsd", 5)).post("/api/v1/usage-events").then()
                        .statusCode(202);
            }
        }
        long start = System.nanoTime();
        List<PackagedService> alive = replicas.stream().filter(PackagedService::alive).toList();
        for (int t = 0; t < TEAMS; t++) {
            PackagedService at = alive.get(t % alive.size());
            String key = prefix + t;
            // the admin's send waits for its replica's attempt: fire and forget
            clients.submit(() -> at.admin().post("/api/v1/teams/" + key + "/digest/send?week=" + week));
        }
        if (kill) {
            // every digest queued (a replica killed before queueing one would lose the admin's request)
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> count(jdbc,
                    "select count(*) from outbox_message where dedupe_key like 'digest:" + prefix + "%'") == TEAMS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> slack.unanswered()
                    .stream().anyMatch(c -> ("Bearer " + TOKENS[1]).equals(c.authorization())));
            replicas.get(1).kill();
        }
        try {
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(() -> {
                long[] counts = outbox(jdbc);
                assertEquals(0, counts[1], "no message failed");
                return counts[0] == sentBefore + TEAMS;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            dump(jdbc,
                    "select id, dedupe_key, status, in_flight, attempts, next_attempt_at - now(), claimed_at, last_error"
                            + " from outbox_message where status <> 'sent' order by id");
            int posts = 0;
            for (int t = 0; t < TEAMS; t++) {
                posts += slack.history(channel(prefix + t)).stream().filter(m -> m.has("metadata")).count();
            }
            System.out.printf("SlowSlackIT %s stalled: %d digests, %d posts, %d chat.postMessage calls%n", prefix,
                    TEAMS, posts, slack.calls("chat.postMessage").size() - callsBefore);
            dump(jdbc, "select pace_key, next_allowed_at - now() from outbox_pace");
            dump(jdbc, "select pid, state, xact_start, left(query, 80) from pg_stat_activity where backend_type"
                    + " = 'client backend'");
            throw e;
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        int posts = 0;
        for (int t = 0; t < TEAMS; t++) {
            posts += slack.history(channel(prefix + t)).stream().filter(m -> m.has("metadata")).count();
        }
        int calls = slack.calls("chat.postMessage").size() - callsBefore;
        int dropped = slack.calls("chat.postMessage:dropped").size() - droppedBefore;
        int checks = slack.calls("conversations.history").size() - checksBefore;
        System.out.printf("SlowSlackIT %s (replica killed: %s): %d digests, %d posts, %d chat.postMessage "
                + "calls, %d connections dropped after posting, %d history checks, %d s%n", prefix, kill, TEAMS, posts,
                calls, dropped, checks, seconds);
        for (int t = 0; t < TEAMS; t++) {
            String channel = channel(prefix + t);
            List<ObjectNode> digests = slack.history(channel).stream().filter(m -> m.has("metadata")).toList();
            assertEquals(1, digests.size(), "digests posted in " + channel);
            assertEquals("digest:" + prefix + t + ":" + week,
                    digests.get(0).get("metadata").get("event_payload").get("key").asText());
            assertEquals(1, slack.history(channel).size(), "the digest, its chart inside, and nothing else in "
                    + channel);
        }
        assertEquals(TEAMS, posts);
        assertTrue(dropped > 0, "some connections were dropped after posting");
        assertTrue(checks >= dropped, "every dropped post was looked for before it was sent again");
    }

    private static String channel(String team) {
        return "C" + team.toUpperCase();
    }

    /** Prints a query's rows, to see why delivery stalled. */
    private static void dump(String jdbc, String sql) {
        try (Connection c = DriverManager.getConnection(jdbc); ResultSet rs = c.createStatement().executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(rs.getString(i)).append(" | ");
                }
                System.out.println("SlowSlackIT stalled: " + row);
            }
        } catch (java.sql.SQLException e) {
            System.out.println("SlowSlackIT: " + e);
        }
    }

    private static long count(String jdbc, String sql) {
        try (Connection c = DriverManager.getConnection(jdbc); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Outbox rows sent and failed. */
    private static long[] outbox(String jdbc) {
        try (Connection c = DriverManager.getConnection(jdbc);
                ResultSet rs = c.createStatement().executeQuery(
                        "select count(*) filter (where status = 'sent'), count(*) filter (where status = 'failed')"
                                + " from outbox_message")) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2)};
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
