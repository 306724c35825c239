package dev.yardstick;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.chat.slack.FakeSlack;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two packaged service instances started together on one empty PostgreSQL: migrations are applied
 * once; racing to send the same team's digest for the same week, the channel receives it exactly
 * once; a runaway session whose events arrive at both, at the same time, alerts its user once, though
 * neither instance alone sees it cross the line; so does a session that keeps spending at night, in
 * turns at each instance, neither seeing it spend for 2 hours without a long pause.
 */
class TwoInstancesIT {

    @Test
    void twoInstancesRacingForTheSameTeamWeekSendOneDigest() throws Exception {
        FakeSlack slack = new FakeSlack();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            Map<String, String> env = PackagedService.env(
                    PackagedService.database(pg.getJdbcUrl("postgres", "postgres")),
                    PackagedService.slack(slack),
                    Map.of("YARDSTICK_DIGEST_ENABLED", "false", "YARDSTICK_JOBS_TICK", "1s",
                            "YARDSTICK_JOBS_FIRST_DELAY", "1s", "YARDSTICK_ALERTS_SWEEP_EVERY", "1s"));
            try (PackagedService a = PackagedService.start("two-instances-it", env);
                    PackagedService b = PackagedService.start("two-instances-it", env)) {
                a.awaitReady();
                b.awaitReady();
                try (var c = java.sql.DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
                        var rs = c.createStatement().executeQuery(
                                "select count(*), count(distinct version), bool_and(success) from flyway_schema_history"
                                        + " where version is not null")) {
                    rs.next();
                    assertEquals(rs.getLong(1), rs.getLong(2), "each migration applied once");
                    assertTrue(rs.getLong(1) >= 5 && rs.getBoolean(3));
                }
                String channel = "CTWOINST";
                a.admin()
                        .body(Map.of("name", "Race", "slackChannelId", channel, "runawayCostUsd", 25, "runawayRequests",
                                300))
                        .put("/api/v1/teams/race").then()
                        .statusCode(201);
                String token = a.admin().body(Map.of("name", "race")).post("/api/v1/ingest-tokens").then()
                        .statusCode(201).extract().path("token");
                LocalDate lastMonday = LocalDate.now(ZoneOffset.UTC)
                        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(1);
                String week = dev.yardstick.digest.DigestService.isoWeek(lastMonday);
                for (int i = 0; i < 3; i++) {
                    String email = "racer" + i + "@example.com";
                    b.admin().body(Map.of("team", "race")).put("/api/v1/members/" + email).then().statusCode(201);
                    a.ingest(token).body(Map.of("id", "race-" + i, "time",
                            lastMonday.atTime(10, i).toInstant(ZoneOffset.UTC).toString(), "user", email, "tool",
                            "codex", "model", "gpt-5", "costUsd", 5)).post("/api/v1/usage-events").then()
                            .statusCode(202);
                }

                ExecutorService pool = Executors.newFixedThreadPool(4);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> sends = new ArrayList<>();
                for (PackagedService instance : List.of(a, b, a, b)) {
                    sends.add(pool.submit(() -> {
                        go.await();
                        return instance.admin().post("/api/v1/teams/race/digest/send?week=" + week).then()
                                .statusCode(200)
                                .extract().path("status");
                    }));
                }
                go.countDown();
                List<String> statuses = new ArrayList<>();
                for (Future<String> f : sends) {
                    statuses.add(f.get(60, TimeUnit.SECONDS));
                }
                pool.shutdownNow();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals("sent",
                        b.admin().get("/api/v1/teams/race/digests").then().extract().path("[0].status")));
                assertEquals(1, slack.calls("chat.postMessage", c -> channel.equals(c.param("channel"))).size(),
                        "one digest, whatever the statuses: " + statuses);
                assertTrue(statuses.stream().allMatch(s -> List.of("sent", "already_sent", "queued").contains(s)));
                // the chart is part of the digest message: one delivery
                assertEquals(List.of("channel"),
                        a.admin().get("/api/v1/teams/race/digests").then().extract().jsonPath().getList("destination"));

                runawayEventsArrivingAtBothAlertOnce(slack, a, b, token);
                nightSessionSplitOverBothAlertsOnce(slack, a, b, token);
                aStoppingReplicaHandsItsSessionsOver(slack, a, b, token, pg.getJdbcUrl("postgres", "postgres"));
            }
        } finally {
            slack.stop();
        }
    }

    private static int sweepRuns(PackagedService instance) {
        List<Integer> runs = instance.admin().get("/api/v1/jobs").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.name == 'alert-sweep' }.runs");
        return runs.isEmpty() ? 0 : runs.get(0);
    }

    private static void runawayEventsArrivingAtBothAlertOnce(FakeSlack slack, PackagedService a, PackagedService b,
            String token) throws Exception {
        String email = "looper@example.com";
        a.admin().body(Map.of("team", "race", "slackUserId", "ULOOPER")).put("/api/v1/members/" + email).then()
                .statusCode(201);
        // each replica checks its own share of a session against the lines divided by the replicas it counts
        for (PackagedService instance : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(40)).until(() -> instance.admin().get("/q/metrics").then().extract()
                    .asString().contains("yardstick_watch_replicas 2.0"));
        }
        java.time.Instant now = java.time.Instant.now();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> senders = new ArrayList<>();
        for (PackagedService instance : List.of(a, b)) {
            String side = instance == a ? "a" : "b";
            senders.add(pool.submit(() -> {
                go.await();
                for (int batch = 0; batch < 4; batch++) { // 200 requests each: 400 together, over the line of 300
                    List<Map<String, Object>> events = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        events.add(Map.of("id", "loop-" + side + "-" + batch + "-" + i, "time",
                                now.minusSeconds(batch * 50L + i).toString(), "user", email, "tool", "claude-code",
                                "model", "claude-opus-4-1", "costUsd", 0.01, "sessionId", "race-loop"));
                    }
                    instance.ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : senders) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> "ULOOPER".equals(c.param("channel"))).size()));
        // the sweep (every second here, on whichever replica claims it) checks the session twice more
        int runs = sweepRuns(a);
        await().atMost(Duration.ofSeconds(30)).until(() -> sweepRuns(b) >= runs + 2);
        assertEquals(1, a.admin().get("/api/v1/teams/race/alerts").then().extract().jsonPath().getList("$").size());
        assertEquals(1, slack.calls("chat.postMessage", c -> "ULOOPER".equals(c.param("channel"))).size());
    }

    private static void nightSessionSplitOverBothAlertsOnce(FakeSlack slack, PackagedService a, PackagedService b,
            String token) {
        int hour = java.time.Instant.now().atZone(ZoneOffset.UTC).getHour();
        int offset = Math.floorMod(3 - hour + 12, 24) - 12; // the team's local time is about 03:00
        a.admin().body(Map.of("name", "Owls", "timezone", "Etc/GMT" + (offset >= 0 ? "-" : "+") + Math.abs(offset)))
                .put("/api/v1/teams/owls").then().statusCode(201);
        String email = "owl@example.com";
        b.admin().body(Map.of("team", "owls", "slackUserId", "UOWL")).put("/api/v1/members/" + email).then()
                .statusCode(201);
        java.time.Instant now = java.time.Instant.now();
        // the same request every minute for 80 minutes, far below the ceilings, nobody prompting: four calls to
        // one instance, four to the other, and so on; each sees the repetition in its half, and they alert once
        for (int i = 0; i < 80; i++) {
            PackagedService to = (i / 4) % 2 == 0 ? a : b;
            to.ingest(token).body(List.of(Map.of("id", "owl-" + i, "time", now.minusSeconds((79 - i) * 60L).toString(),
                    "user", email, "tool", "codex", "model", "gpt-5", "costUsd", 0.05, "sessionId", "owl-night",
                    "inputTokens", 9_400, "outputTokens", 60)))
                    .post("/api/v1/usage-events").then().statusCode(202);
        }
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> "UOWL".equals(c.param("channel"))).size()));
        assertEquals("repeat", a.admin().get("/api/v1/teams/owls/alerts").then().extract().path("[0].reason"));
    }

    private static long sharedRequests(String jdbcUrl, String session) throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection(jdbcUrl);
                var ps = c.prepareStatement("select coalesce(sum(requests), 0) from usage_session_minute"
                        + " where session_key = ?")) {
            ps.setString(1, session);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void aStoppingReplicaHandsItsSessionsOver(FakeSlack slack, PackagedService a, PackagedService b,
            String token, String jdbcUrl) throws Exception {
        String email = "handover@example.com";
        a.admin().body(Map.of("team", "race", "slackUserId", "UHANDOVER")).put("/api/v1/members/" + email).then()
                .statusCode(201);
        java.time.Instant now = java.time.Instant.now();
        // 140 requests to a: under its share of the line (300 / 2 replicas), so only a knows of them
        // until it stops; a deploy then sends the next 170 to b. Together 310, over the line of 300.
        for (int batch = 0; batch < 14; batch++) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                events.add(handoverEvent(email, "a-" + batch + "-" + i, now.minusSeconds(300 + batch * 10L + i)));
            }
            a.ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202);
        }
        assertEquals(0, sharedRequests(jdbcUrl, "handover"), "under the line: a keeps it to itself");
        a.close();
        assertEquals(140, sharedRequests(jdbcUrl, "handover"), "a wrote what it held, once, as it stopped");
        await().atMost(Duration.ofSeconds(40)).until(() -> b.admin().get("/q/metrics").then().extract().asString()
                .contains("yardstick_watch_replicas 1.0"));
        assertTrue(slack.calls("chat.postMessage", c -> "UHANDOVER".equals(c.param("channel"))).isEmpty());
        for (int batch = 0; batch < 17; batch++) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                events.add(handoverEvent(email, "b-" + batch + "-" + i, now.minusSeconds(batch * 10L + i)));
            }
            b.ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(1,
                slack.calls("chat.postMessage", c -> "UHANDOVER".equals(c.param("channel"))).size(),
                "b counted what a handed over when it stopped"));
        await().atMost(Duration.ofSeconds(30)).until(() -> sharedRequests(jdbcUrl, "handover") == 310);
        List<Map<String, Object>> alerts = b.admin().get("/api/v1/teams/race/alerts").then().extract().jsonPath()
                .getList("findAll { it.session == 'handover' }");
        assertEquals(1, alerts.size());
        assertEquals("requests", alerts.get(0).get("reason"));
        assertTrue(((Number) alerts.get(0).get("requests")).longValue() >= 300, "a's requests and b's: " + alerts);
    }

    private static Map<String, Object> handoverEvent(String email, String id, java.time.Instant time) {
        return Map.of("id", "handover-" + id, "time", time.toString(), "user", email, "tool", "claude-code", "model",
                "claude-opus-4-1", "costUsd", 0.01, "sessionId", "handover");
    }
}
