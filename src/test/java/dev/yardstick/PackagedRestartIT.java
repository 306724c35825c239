package dev.yardstick;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged service ({@code java -jar target/quarkus-app/quarkus-run.jar}) on its embedded
 * PostgreSQL, stops it, starts it again on the same {@code YARDSTICK_DATA_DIR} and checks that
 * nothing was lost.
 */
class PackagedRestartIT {

    private static final String ADMIN = "restart-admin-token";

    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesARestartOfThePackagedService() throws Exception {
        int port = freePort();
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String summary = "/api/v1/teams/persist/summary?from=" + today + "&to=" + today;
        Map<String, Object> event = Map.of("id", "restart-1", "time", Instant.now().minusSeconds(60).toString(),
                "user", "ana@example.com", "tool", "claude-code", "model", "claude-sonnet-4-5", "costUsd", 4.5);

        Process first = start(port);
        String token;
        try {
            awaitReady(port);
            admin(port).body(Map.of("name", "Persist", "timezone", "UTC")).put("/api/v1/teams/persist")
                    .then().statusCode(201);
            admin(port).body(Map.of("team", "persist")).put("/api/v1/members/ana@example.com").then().statusCode(201);
            token = admin(port).body(Map.of("name", "restart")).post("/api/v1/ingest-tokens")
                    .then().statusCode(201).extract().path("token");
            ingest(port, token).body(List.of(event)).post("/api/v1/usage-events").then().statusCode(202)
                    .body("accepted", equalTo(1));
            admin(port).get(summary).then().statusCode(200).body("costUsd", equalTo(4.5f));
        } finally {
            stop(first);
        }
        assertTrue(Files.exists(dataDir.resolve("postgres").resolve("PG_VERSION")), "data lives in YARDSTICK_DATA_DIR");

        Process second = start(port);
        try {
            awaitReady(port);
            admin(port).get("/api/v1/teams/persist").then().statusCode(200).body("name", equalTo("Persist"));
            admin(port).get(summary).then().statusCode(200).body("costUsd", equalTo(4.5f))
                    .body("activeMembers", equalTo(1));
            ingest(port, token).body(List.of(event)).post("/api/v1/usage-events").then().statusCode(202)
                    .body("accepted", equalTo(0)).body("duplicates", equalTo(1));
        } finally {
            stop(second);
        }
    }

    private Process start(int port) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the service first: " + jar);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString());
        pb.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        pb.environment().put("YARDSTICK_DATA_DIR", dataDir.toString());
        pb.environment().put("YARDSTICK_ADMIN_TOKEN", ADMIN);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "packaged-restart-it.log").toFile()));
        return pb.start();
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static void awaitReady(int port) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> given().port(port).get("/q/health/ready").statusCode() == 200);
    }

    private static RequestSpecification admin(int port) {
        return given().port(port).header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON);
    }

    private static RequestSpecification ingest(int port, String token) {
        return given().port(port).header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
