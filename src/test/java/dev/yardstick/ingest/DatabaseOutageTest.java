package dev.yardstick.ingest;

import dev.yardstick.otlp.OtlpTest;
import static dev.yardstick.Api.admin;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.RestartablePostgres;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under the service (a restart, a failover): every ingest path answers 503 with
 * {@code Retry-After} at once, readiness is DOWN without naming the database, and once it is back
 * readiness is UP by itself and clients that retried lost nothing and doubled nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = RestartablePostgres.class, restrictToAnnotatedClass = true)
class DatabaseOutageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource ds;

    @AfterEach
    void databaseBack() {
        RestartablePostgres.startServer();
        awaitReady();
    }

    @Test
    void withTheDatabaseDownEveryIngestPathAnswers503WithRetryAfterAtOnce() throws Exception {
        String token = Api.ingestToken();
        String team = Api.team("outage", "UTC");
        String user = Api.member(team);
        Instant t = Instant.now().minusSeconds(60);
        List<Map<String, Object>> events = List.of(Map.of("id", "outage-" + Api.unique(), "time", t.toString(),
                "user", user, "tool", "cursor", "model", "gpt-5", "costUsd", 0.25));
        byte[] otlp = OtlpTest.logs("claude-code", List.of(OtlpTest.apiRequest(user, "s-" + Api.unique(), 1, t,
                "claude-sonnet-4-5", 10, 10, 0, 0, 0.5))).toByteArray();
        byte[] pr = JSON.writeValueAsBytes(Map.of("action", "closed", "pull_request", Map.of("node_id",
                "PR_" + Api.unique(), "merged", true, "merged_at", t.toString(), "user", Map.of("login", "ana"))));

        RestartablePostgres.stopServer();
        long slowest = 0;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            Response ingest = Api.ingest(token).body(events).post("/api/v1/usage-events");
            slowest = Math.max(slowest, System.nanoTime() - start);
            ingest.then().statusCode(503).header("Retry-After", "5").contentType("application/problem+json")
                    .body("detail", containsString("Retry"));

            start = System.nanoTime();
            Response proto = given().header("Authorization", "Bearer " + token)
                    .contentType(OtlpTest.PROTOBUF).body(otlp).post("/v1/logs");
            slowest = Math.max(slowest, System.nanoTime() - start);
            proto.then().statusCode(503).header("Retry-After", "5").contentType(startsWith(OtlpTest.PROTOBUF));
            OtlpTest.assertStatus(proto, 14, "database");

            start = System.nanoTime();
            Response json = given().header("Authorization", "Bearer " + token).contentType("application/json")
                    .body(JsonFormat.printer().print(OtlpTest.logs("claude-code", List.of()))).post("/v1/metrics");
            slowest = Math.max(slowest, System.nanoTime() - start);
            json.then().statusCode(503).header("Retry-After", "5").contentType(startsWith("application/json"))
                    .body("code", equalTo(14));

            start = System.nanoTime();
            Response hook = given().contentType("application/json").header("X-GitHub-Event", "pull_request")
                    .header("X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex("test-github-secret", pr))
                    .body(pr).post("/webhooks/github");
            slowest = Math.max(slowest, System.nanoTime() - start);
            hook.then().statusCode(503).header("Retry-After", "5").contentType("application/problem+json");
        }
        System.out.printf("Database down: slowest 503 of 12 requests in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(slowest));
        assertTrue(slowest < TimeUnit.SECONDS.toNanos(5), "503 within 5 s, took " + slowest / 1_000_000 + " ms");

        Response ready = given().get("/q/health/ready");
        ready.then().statusCode(503).body("status", equalTo("DOWN"));
        String body = ready.asString();
        for (String secret : List.of("localhost", "127.0.0.1", "jdbc", "postgresql:",
                Integer.toString(RestartablePostgres.port()))) {
            assertFalse(body.contains(secret), "readiness names the database (" + secret + "): " + body);
        }

        RestartablePostgres.startServer();
        awaitReady();
        Api.ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202)
                .body("accepted", equalTo(1));
    }

    @Test
    void aRestartMidLoadLosesNothingAndDoublesNothingForClientsThatRetry() throws Exception {
        String token = Api.ingestToken();
        String team = Api.team("restart", "UTC");
        List<String> users = List.of(Api.member(team), Api.member(team), Api.member(team));
        String prefix = "restart-" + Api.unique() + "-";
        String otlpTeam = Api.team("restart-otlp", "UTC");
        String otlpUser = Api.member(otlpTeam);
        String session = "s-" + Api.unique();
        String time = Instant.now().minusSeconds(120).toString();
        int clients = 4;
        int batches = 40;
        int perBatch = 50;
        int otlpBatches = 40;
        int otlpPerBatch = 20;
        Instant otlpTime = Instant.now().minusSeconds(120);

        AtomicInteger done = new AtomicInteger();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        Map<Integer, AtomicInteger> otherStatuses = new ConcurrentHashMap<>();
        CountDownLatch quarter = new CountDownLatch(clients * batches / 4);
        ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            running.add(pool.submit(() -> {
                for (int b = 0; b < batches; b++) {
                    List<Map<String, Object>> batch = new ArrayList<>();
                    for (int i = 0; i < perBatch; i++) {
                        batch.add(Map.of("id", prefix + client + "-" + b + "-" + i, "time", time,
                                "user", users.get(i % users.size()), "tool", "cursor", "model", "gpt-5",
                                "inputTokens", 10, "costUsd", 0.01));
                    }
                    while (true) { // a client that retries a batch until it is taken, as exporters do
                        Response r;
                        try {
                            r = Api.ingest(token).body(batch).post("/api/v1/usage-events");
                        } catch (RuntimeException e) {
                            continue;
                        }
                        if (r.statusCode() == 202) {
                            accepted.addAndGet(r.jsonPath().getLong("accepted"));
                            duplicates.addAndGet(r.jsonPath().getLong("duplicates"));
                            done.incrementAndGet();
                            quarter.countDown();
                            break;
                        }
                        if (r.statusCode() == 503 && r.header("Retry-After") != null) {
                            unavailable.incrementAndGet();
                        } else {
                            otherStatuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the client's back-off
                    }
                }
                return null;
            }));
        }
        running.add(pool.submit(() -> { // an OTLP exporter: protobuf logs, retried on 503 as OTLP/HTTP says
            for (int b = 0; b < otlpBatches; b++) {
                List<LogRecord> records = new ArrayList<>();
                for (int i = 0; i < otlpPerBatch; i++) {
                    records.add(OtlpTest.apiRequest(otlpUser, session, b * otlpPerBatch + i, otlpTime,
                            "claude-sonnet-4-5", 10, 1, 0, 0, 0.01));
                }
                byte[] body = OtlpTest.logs("claude-code", records).toByteArray();
                while (true) {
                    Response r;
                    try {
                        r = given().header("Authorization", "Bearer " + token).contentType(OtlpTest.PROTOBUF)
                                .body(body).post("/v1/logs");
                    } catch (RuntimeException e) {
                        continue;
                    }
                    if (r.statusCode() == 200) {
                        break;
                    }
                    if (r.statusCode() == 503 && r.header("Retry-After") != null) {
                        unavailable.incrementAndGet();
                    } else {
                        otherStatuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the exporter's back-off
                }
            }
            return null;
        }));
        try {
            assertTrue(quarter.await(120, TimeUnit.SECONDS), "a quarter of the batches before the restart");
            int before = done.get();
            RestartablePostgres.stopServer();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> unavailable.get() >= clients);
            int during = done.get() - before;
            RestartablePostgres.startServer();
            for (Future<?> f : running) {
                f.get(180, TimeUnit.SECONDS);
            }
            System.out.printf("Restart mid-load: %d batches taken before the stop, %d while stopping, %d 503s "
                    + "answered, other statuses %s%n", before, during, unavailable.get(), otherStatuses);
        } finally {
            pool.shutdownNow();
        }

        long total = (long) clients * batches * perBatch;
        assertEquals(Map.of(), Map.copyOf(otherStatuses), "only 202 and 503 with Retry-After, no 500");
        assertTrue(unavailable.get() >= clients, "the clients saw the outage");
        long stored = Db.scalar(ds, "select count(*) from usage_event_named where team_key = ?", team);
        long counted = Db.scalar(ds, "select sum(events) from usage_daily_all where team_key = ?", team);
        long tokens = Db.scalar(ds, "select sum(input_tokens) from usage_daily_all where team_key = ?", team);
        long teamCounted = Db.scalar(ds, "select sum(events) from usage_team_daily_all where team_key = ?", team);
        System.out.printf("Restart mid-load: %d events sent, %d stored, %d counted (lost %d, doubled %d); "
                + "%d accepted + %d duplicates answered%n", total, stored, counted, total - stored,
                counted - stored, accepted.get(), duplicates.get());
        assertEquals(total, stored, "no event lost");
        assertEquals(total, counted, "no event counted twice in the member rollup");
        assertEquals(total, teamCounted, "no event counted twice in the team rollup");
        assertEquals(total * 10, tokens);
        long otlpTotal = (long) otlpBatches * otlpPerBatch;
        long otlpStored = Db.scalar(ds, "select count(*) from usage_event_named e join member m on m.id = e.member_id "
                + "where m.email = ?", otlpUser);
        long otlpCounted = Db.scalar(ds, "select sum(events) from usage_daily_all where team_key = ?", otlpTeam);
        System.out.printf("Restart mid-load, OTLP: %d records sent, %d stored, %d counted%n", otlpTotal,
                otlpStored, otlpCounted);
        assertEquals(otlpTotal, otlpStored, "no OTLP record lost");
        assertEquals(otlpTotal, otlpCounted, "no OTLP record counted twice");
        admin().get("/api/v1/teams/" + team).then().statusCode(200);
    }

    private static void awaitReady() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
    }
}
