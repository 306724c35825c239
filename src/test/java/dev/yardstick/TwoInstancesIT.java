package dev.yardstick;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.slack.FakeSlack;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
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
 * Two packaged service instances on one PostgreSQL, racing to send the same team's digest for the
 * same week: the channel receives it exactly once.
 */
class TwoInstancesIT {

    private static final String ADMIN = "two-instances-admin";
    private static final String SECRET = "two-instances-signing-secret";

    @Test
    void twoInstancesRacingForTheSameTeamWeekSendOneDigest() throws Exception {
        FakeSlack slack = new FakeSlack();
        List<Process> processes = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            int a = freePort();
            int b = freePort();
            processes.add(start(a, url, slack));
            awaitReady(a);
            processes.add(start(b, url, slack));
            awaitReady(b);

            String channel = "CTWOINST";
            admin(a).body(Map.of("name", "Race", "slackChannelId", channel)).put("/api/v1/teams/race").then()
                    .statusCode(201);
            String token = admin(a).body(Map.of("name", "race")).post("/api/v1/ingest-tokens").then().statusCode(201)
                    .extract().path("token");
            LocalDate lastMonday = LocalDate.now(ZoneOffset.UTC)
                    .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                    .minusWeeks(1);
            for (int i = 0; i < 3; i++) {
                String email = "racer" + i + "@example.com";
                admin(b).body(Map.of("team", "race")).put("/api/v1/members/" + email).then().statusCode(201);
                given().port(a).header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                        .body(Map.of("id", "race-" + i, "time",
                                lastMonday.atTime(10, i).toInstant(ZoneOffset.UTC).toString(),
                                "user", email, "tool", "codex", "model", "gpt-5", "costUsd", 5))
                        .post("/api/v1/usage-events").then().statusCode(202);
            }

            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> sends = new ArrayList<>();
            for (int port : new int[]{a, b, a, b}) {
                sends.add(pool.submit(() -> {
                    go.await();
                    return admin(port).post("/api/v1/teams/race/digest/send").then().statusCode(200).extract()
                            .path("status");
                }));
            }
            go.countDown();
            List<String> statuses = new ArrayList<>();
            for (Future<String> f : sends) {
                statuses.add(f.get(60, TimeUnit.SECONDS));
            }
            pool.shutdownNow();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals("sent",
                    admin(b).get("/api/v1/teams/race/digests").then().extract().path("[0].status")));
            assertEquals(1, slack.calls("chat.postMessage", c -> channel.equals(c.param("channel"))).size(),
                    "one digest, whatever the statuses: " + statuses);
            assertTrue(statuses.stream().allMatch(s -> List.of("sent", "already_sent", "queued").contains(s)));
            assertEquals(List.of("channel", "channel (chart)"),
                    admin(a).get("/api/v1/teams/race/digests").then().extract().jsonPath().getList("destination"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> assertEquals(1, slack.calls("files.completeUploadExternal").size(), "one chart"));
        } finally {
            for (Process p : processes) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            slack.stop();
        }
    }

    private static Process start(int port, String jdbcUrl, FakeSlack slack) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dfile.encoding=UTF-8", "-jar", jar.toString());
        pb.environment().put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        pb.environment().put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("YARDSTICK_ADMIN_TOKEN", ADMIN);
        pb.environment().put("YARDSTICK_DIGEST_ENABLED", "false");
        pb.environment().put("SLACK_SIGNING_SECRET", SECRET);
        pb.environment().put("SLACK_BOT_TOKEN", "xoxb-two-instances");
        pb.environment().put("SLACK_API_URL", slack.apiUrl());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "two-instances-it.log").toFile()));
        return pb.start();
    }

    private static void awaitReady(int port) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> given().port(port).get("/q/health/ready").statusCode() == 200);
    }

    private static RequestSpecification admin(int port) {
        return given().port(port).header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
