package dev.yardstick;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service on its embedded PostgreSQL is killed ({@code kill -9}: no shutdown hook runs),
 * which leaves its postmaster running on the data directory; started again, the service stops that
 * postmaster, starts its own and has everything it had before.
 */
class PackagedCrashIT {

    @TempDir
    Path dataDir;

    @Test
    void aServiceStartedAfterACrashStopsTheOrphanedPostmasterAndStartsCleanly() throws Exception {
        Instant at = Instant.now().minusSeconds(60);
        String day = LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
        String summary = "/api/v1/teams/crash/summary?from=" + day + "&to=" + day;
        Map<String, String> env = Map.of("YARDSTICK_DATA_DIR", dataDir.toString());
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");

        String token;
        long orphan;
        try (PackagedService first = PackagedService.start("packaged-crash-it", env).awaitReady()) {
            first.admin().body(Map.of("name", "Crash", "timezone", "UTC")).put("/api/v1/teams/crash")
                    .then().statusCode(201);
            first.admin().body(Map.of("team", "crash")).put("/api/v1/members/ana@example.com").then()
                    .statusCode(201);
            token = first.admin().body(Map.of("name", "crash")).post("/api/v1/ingest-tokens")
                    .then().statusCode(201).extract().path("token");
            first.ingest(token).body(List.of(event("crash-1", at, 4.5))).post("/api/v1/usage-events").then()
                    .statusCode(202).body("accepted", equalTo(1));
            orphan = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            first.kill();
        }
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
                "kill -9 leaves the postmaster running");
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDir.resolve("postgres-password"))));

        try (PackagedService second = PackagedService.start("packaged-crash-it", env).awaitReady()) {
            assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
                    "the orphaned postmaster was stopped");
            second.admin().get(summary).then().statusCode(200).body("costUsd", equalTo(4.5f));
            second.ingest(token).body(List.of(event("crash-1", at, 4.5), event("crash-2", at, 1.5)))
                    .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(1))
                    .body("duplicates", equalTo(1));
            second.admin().get(summary).then().statusCode(200).body("costUsd", equalTo(6.0f));
        }
    }

    private static Map<String, Object> event(String id, Instant at, double cost) {
        return Map.of("id", id, "time", at.toString(), "user", "ana@example.com", "tool", "claude-code",
                "model", "claude-sonnet-4-5", "costUsd", cost);
    }
}
