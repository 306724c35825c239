package dev.yardstick;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A flood of large unsigned bodies to every public endpoint, against the packaged service with the image's heap
 * (80 % of the chart's 1 GiB limit, exit on out-of-memory): bodies above an endpoint's limit, and bodies just under
 * it, many at once. All the while liveness and a small ingest request must answer within a second, and afterwards
 * the process is still there.
 */
class FloodIT {

    private static final List<String> JVM = List.of("-Xmx819m", "-XX:+ExitOnOutOfMemoryError");
    private static final Map<String, Long> LIMITS = Map.of("/slack/events", 1L << 20, "/api/messages", 1L << 20,
            "/webhooks/github", 25L << 20, "/webhooks/linear", 5L << 20, "/webhooks/jira", 5L << 20,
            "/api/v1/usage-events", 10L << 20, "/v1/logs", 10L << 20, "/v1/metrics", 10L << 20,
            "/api/v1/teams/flood", 1L << 20, "/preview/ai-spend", 64L << 10);
    private static final Duration FLOOD = Duration.ofSeconds(20);

    @Test
    void largeUnsignedBodiesTakeNothingDown() throws Exception {
        try (PackagedService s = PackagedService.start("flood",
                Map.of("SLACK_SIGNING_SECRET", "flood-secret", "SLACK_BOT_TOKEN", "xoxb-flood",
                        "GITHUB_WEBHOOK_SECRET", "gh", "LINEAR_WEBHOOK_SECRET", "li", "JIRA_WEBHOOK_SECRET", "ji"),
                JVM).awaitReady()) {
            String token = s.admin().body(Map.of("name", "flood")).post("/api/v1/ingest-tokens").then()
                    .statusCode(201).extract().path("token");
            ingestOne(s, token, -1);
            AtomicBoolean flooding = new AtomicBoolean(true);
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> attackers = new ArrayList<>();
            byte[] junk = new byte[1 << 20];
            for (int i = 0; i < 16; i++) {
                int n = i;
                attackers.add(pool.submit(() -> {
                    List<String> paths = new ArrayList<>(LIMITS.keySet());
                    for (int round = 0; flooding.get(); round++) {
                        String path = paths.get((n + round) % paths.size());
                        long limit = LIMITS.get(path);
                        long length = round % 2 == 0 ? limit + 1 : limit - 1024;
                        int status = send(s.port(), path, length, junk);
                        statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                    }
                    return null;
                }));
            }
            Instant end = Instant.now().plus(FLOOD);
            long probes = 0;
            long slowest = 0;
            int i = 0;
            while (Instant.now().isBefore(end)) {
                long started = System.nanoTime();
                given().port(s.port()).get("/q/health/live").then().statusCode(200);
                slowest = Math.max(slowest, System.nanoTime() - started);
                started = System.nanoTime();
                ingestOne(s, token, i++);
                slowest = Math.max(slowest, System.nanoTime() - started);
                probes++;
            }
            flooding.set(false);
            for (Future<?> f : attackers) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            System.out.printf("Flood: %d large bodies %s; %d probes, slowest %d ms%n",
                    statuses.values().stream().mapToLong(AtomicLong::get).sum(), statuses, probes, slowest / 1_000_000);
            assertTrue(s.alive(), "the service is still running");
            assertTrue(slowest < 1_000_000_000L, "liveness and ingest answered within a second: " + slowest / 1e6);
            assertTrue(probes > 10, "probes ran: " + probes);
            assertEquals(200, given().port(s.port()).get("/q/health/ready").statusCode());
        }
    }

    private static void ingestOne(PackagedService s, String token, int i) {
        s.ingest(token).body(Map.of("id", "flood-" + i, "time", Instant.now().toString(), "user",
                "flood@example.com", "tool", "claude-code", "model", "claude-sonnet-4-5", "inputTokens", 10))
                .post("/api/v1/usage-events").then().statusCode(202);
    }

    /** Sends a body of the given length as fast as the server reads it; answers the status (0: connection cut). */
    private static int send(int port, String path, long length, byte[] junk) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            for (long sent = 0; sent < length; sent += junk.length) {
                if (in.available() > 0) {
                    break;
                }
                out.write(junk, 0, (int) Math.min(junk.length, length - sent));
            }
            out.flush();
            byte[] head = in.readNBytes(12);
            return head.length == 12 ? Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII)) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
