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
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A replica killed while it sends a digest causes neither a duplicate nor a loss: the next replica
 * (or the same service after a restart) finds the message in doubt, looks for it in the channel's
 * history, and sends it only if it is not there.
 */
class KilledMidSendIT {

    @Test
    void aReplicaKilledMidSendCausesNeitherADuplicateNorALoss() throws Exception {
        FakeSlack slack = new FakeSlack();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            Map<String, String> env = PackagedService.env(
                    PackagedService.database(pg.getJdbcUrl("postgres", "postgres")), PackagedService.slack(slack),
                    Map.of("YARDSTICK_DIGEST_ENABLED", "false", "YARDSTICK_OUTBOX_LEASE", "5s",
                            "YARDSTICK_JOBS_OUTBOX_EVERY", "1s"));
            LocalDate lastMonday = LocalDate.now(ZoneOffset.UTC)
                    .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                    .minusWeeks(1);
            String week = lastMonday.get(IsoFields.WEEK_BASED_YEAR) + "-W"
                    + String.format("%02d", lastMonday.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));

            // 1. Slack posts the digest, then the replica dies before it records that
            PackagedService first = PackagedService.start("killed-mid-send-it", env).awaitReady();
            String token = first.admin().body(Map.of("name", "crash")).post("/api/v1/ingest-tokens").then()
                    .statusCode(201).extract().path("token");
            for (String team : List.of("posted", "lost")) {
                team(first, token, team, lastMonday);
            }
            FakeSlack.Hold posted = slack.holdNext("chat.postMessage", true);
            CompletableFuture.runAsync(() -> first.admin().post("/api/v1/teams/posted/digest/send?week=" + week));
            assertTrue(posted.awaitArrival(Duration.ofSeconds(60)));
            first.kill();
            posted.release();
            assertEquals(1, slack.history("CPOSTED").size(), "Slack has the digest; the outbox doesn't know yet");

            try (PackagedService second = PackagedService.start("killed-mid-send-it", env).awaitReady()) {
                awaitSent(second, "posted");
                assertEquals(1, slack.history("CPOSTED").stream().filter(m -> m.has("metadata")).count(),
                        "found in the channel's history, not posted again");
                assertEquals("digest:posted:" + week,
                        slack.history("CPOSTED").get(0).get("metadata").get("event_payload").get("key").asText());
                assertTrue(slack.calls("conversations.history", c -> "CPOSTED".equals(c.param("channel"))).size() >= 1);

                // 2. the replica dies before its post gets through to Slack
                FakeSlack.Hold lost = slack.holdNext("chat.postMessage", false);
                CompletableFuture.runAsync(() -> second.admin().post("/api/v1/teams/lost/digest/send?week=" + week));
                assertTrue(lost.awaitArrival(Duration.ofSeconds(60)));
                second.kill();
                lost.release();
                assertEquals(0, slack.history("CLOST").size());
            }
            try (PackagedService third = PackagedService.start("killed-mid-send-it", env).awaitReady()) {
                awaitSent(third, "lost");
                assertEquals(1, slack.history("CLOST").stream().filter(m -> m.has("metadata")).count(),
                        "not in the history, so sent once");
                assertEquals(1, slack.calls("chat.postMessage", c -> "CLOST".equals(c.param("channel"))).size());
                // the charts are part of their digests: nothing else was posted
                assertEquals(1, slack.history("CPOSTED").size());
                assertEquals(1, slack.history("CLOST").size());
                third.admin().get("/api/v1/teams/posted/digests").then().statusCode(200)
                        .body("status", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo("sent")));
            }
        } finally {
            slack.stop();
        }
    }

    private static void team(PackagedService service, String token, String key, LocalDate lastMonday) {
        String channel = "C" + key.toUpperCase();
        service.admin().body(Map.of("name", key, "slackChannelId", channel)).put("/api/v1/teams/" + key).then()
                .statusCode(201);
        for (int i = 0; i < 3; i++) {
            String email = key + i + "@example.com";
            service.admin().body(Map.of("team", key)).put("/api/v1/members/" + email).then().statusCode(201);
            service.ingest(token).body(Map.of("id", key + "-" + i, "time",
                    lastMonday.atTime(10, i).toInstant(ZoneOffset.UTC).toString(), "user", email, "tool", "codex",
                    "model", "gpt-5.4", "costUsd", 5)).post("/api/v1/usage-events").then().statusCode(202);
        }
    }

    private static void awaitSent(PackagedService service, String team) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertEquals(
                "sent", service.admin().get("/api/v1/teams/" + team + "/digests").then().extract().path("[0].status")));
    }
}
