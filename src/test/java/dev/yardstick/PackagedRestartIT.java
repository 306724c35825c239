package dev.yardstick;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged service ({@code java -jar target/quarkus-app/quarkus-run.jar}) on its embedded
 * PostgreSQL, stops it, starts it again on the same {@code YARDSTICK_DATA_DIR} and checks that
 * nothing was lost; then stops it as Kubernetes does (SIGTERM with a shutdown delay: readiness goes
 * DOWN while requests are still served) and checks that what it took then was kept too.
 */
class PackagedRestartIT {

    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesARestartOfThePackagedService() throws Exception {
        Instant at = Instant.now().minusSeconds(60);
        String day = LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
        String summary = "/api/v1/teams/persist/summary?from=" + day + "&to=" + day;
        Map<String, Object> event = Map.of("id", "restart-1", "time", at.toString(),
                "user", "ana@example.com", "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 4.5);
        Map<String, String> env = Map.of("YARDSTICK_DATA_DIR", dataDir.toString());

        String token;
        try (PackagedService first = PackagedService.start("packaged-restart-it", env).awaitReady()) {
            first.admin().body(Map.of("name", "Persist", "timezone", "UTC")).put("/api/v1/teams/persist")
                    .then().statusCode(201);
            first.admin().body(Map.of("team", "persist")).put("/api/v1/members/ana@example.com").then()
                    .statusCode(201);
            token = first.admin().body(Map.of("name", "restart")).post("/api/v1/ingest-tokens")
                    .then().statusCode(201).extract().path("token");
            first.ingest(token).body(List.of(event)).post("/api/v1/usage-events").then().statusCode(202)
                    .body("accepted", equalTo(1));
            first.admin().get(summary).then().statusCode(200).body("costUsd", equalTo(4.5f));
        }
        assertTrue(Files.exists(dataDir.resolve("postgres").resolve("PG_VERSION")), "data lives in YARDSTICK_DATA_DIR");

        Map<String, String> delayed = PackagedService.env(env, Map.of("QUARKUS_SHUTDOWN_DELAY", "4s"));
        try (PackagedService second = PackagedService.start("packaged-restart-it", delayed).awaitReady()) {
            second.admin().get("/api/v1/teams/persist").then().statusCode(200).body("name", equalTo("Persist"));
            second.admin().get(summary).then().statusCode(200).body("costUsd", equalTo(4.5f))
                    .body("activeMembers", equalTo(1));
            second.ingest(token).body(List.of(event)).post("/api/v1/usage-events").then().statusCode(202)
                    .body("accepted", equalTo(0)).body("duplicates", equalTo(1));

            // a stop (SIGTERM, as Kubernetes sends): readiness goes DOWN first while requests are still served
            second.terminate();
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(
                    () -> second.admin().get("/q/health/ready").statusCode() == 503);
            second.ingest(token).body(List.of(Map.of("id", "restart-2", "time", at.toString(), "user",
                    "ana@example.com", "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 1.5)))
                    .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> !second.alive());
        }
        try (PackagedService third = PackagedService.start("packaged-restart-it", env).awaitReady()) {
            third.admin().get(summary).then().statusCode(200).body("costUsd", equalTo(6.0f));
        }
    }
}
