package dev.yardstick.ingest;

import dev.yardstick.otlp.OtlpTest;
import static dev.yardstick.otlp.OtlpTest.apiRequest;
import static dev.yardstick.otlp.OtlpTest.attr;
import static dev.yardstick.otlp.OtlpTest.logs;
import static dev.yardstick.otlp.OtlpTest.metrics;
import static dev.yardstick.otlp.OtlpTest.point;
import static dev.yardstick.otlp.OtlpTest.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.yardstick.Api;
import dev.yardstick.fuzz.Mutator;
import dev.yardstick.fuzz.StackTraces;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz of every public endpoint but Slack's: mutations of valid bodies (absurd numbers,
 * NUL, deep nesting, wrong types, truncation, random bytes), signed as each vendor signs so that the
 * parser is reached. No answer may be a 5xx or name a Java class, and no stack trace may be logged.
 * {@code -Dfuzz.seed} and {@code -Dfuzz.bodies} (per endpoint) change the run.
 */
@QuarkusTest
class FuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 15L);
    private static final int BODIES = Integer.getInteger("fuzz.bodies", 2000);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Linear's webhookTimestamp in generated bodies, set to the time of sending just before signing. */
    private static final long LINEAR_NOW = 9_999_999_999_999L;

    /** One way in: its path, how a body is signed, and how a valid body is made. */
    private record Target(String name, String path, String contentType, Supplier<byte[]> valid, boolean json,
            Map<String, String> headers, Signer signer, Converter converter) {
    }

    @FunctionalInterface
    private interface Signer {

        Map<String, String> sign(byte[] body);
    }

    /** Turns a mutated OTLP JSON body into protobuf where it still parses (else null). */
    @FunctionalInterface
    private interface Converter {

        byte[] toProtobuf(byte[] json);
    }

    @Test
    void noBodyGetsA5xxAClassNameOrAStackTrace() throws Exception {
        String token = Api.ingestToken();
        String team = Api.team("fuzz", "UTC");
        String user = Api.member(team);
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
        List<Target> targets = targets(token, user, t);

        try (StackTraces probe = new StackTraces()) {
            org.jboss.logging.Logger.getLogger("dev.yardstick.fuzz").warn("probe: a logged stack trace is seen",
                    new IllegalStateException("probe"));
            assertEquals(1, probe.logged().size(), "the capture sees the application's log records");
        }
        StackTraces traces = new StackTraces();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Map<String, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            int seedOffset = 0;
            for (Target target : targets) {
                Mutator mutator = new Mutator(SEED * 31 + seedOffset++);
                List<byte[]> bodies = new ArrayList<>();
                for (int i = 0; i < BODIES; i++) {
                    bodies.add(body(target, mutator));
                }
                for (int part = 0; part < 4; part++) {
                    int from = part * BODIES / 4, to = (part + 1) * BODIES / 4;
                    running.add(pool.submit(() -> {
                        for (byte[] body : bodies.subList(from, to)) {
                            send(http, target, body, statuses, failures);
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            traces.close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Map<Integer, Integer>> table = new TreeMap<>();
        statuses.forEach((k, v) -> {
            Map<Integer, Integer> m = new TreeMap<>();
            v.forEach((s, n) -> m.put(s, n.get()));
            table.put(k, m);
        });
        System.out.printf("Fuzz (seed %d): %d bodies per endpoint, %d endpoints, %.1f s; statuses %s%n", SEED,
                BODIES, targets.size(), seconds, table);
        table.forEach((name, counts) -> {
            if (counts.keySet().stream().noneMatch(st -> st >= 200 && st < 300)
                    || counts.keySet().stream().noneMatch(st -> st == 400 || st == 401)) {
                failures.add(name + ": the parser was not reached both ways (statuses " + counts + ")");
            }
        });
        traces.logged().forEach(r -> failures.add("logged a stack trace: " + r));
        assertTrue(failures.isEmpty(), failures.size() + " failures, first: "
                + failures.subList(0, Math.min(5, failures.size())));
    }

    private byte[] body(Target target, Mutator mutator) {
        byte[] valid = target.valid().get();
        int choice = mutator.random().nextInt(20);
        if (choice == 0) {
            return valid;
        }
        if (!target.json()) {
            // protobuf: structured mutations through the JSON form where they still parse, else bytes
            if (choice < 12) {
                byte[] proto = target.converter().toProtobuf(mutator.mutateJson(jsonOf(target, valid)));
                if (proto != null) {
                    return proto;
                }
            }
            return mutator.mutateBytes(valid);
        }
        if (target.contentType().equals("application/x-ndjson")) {
            String[] lines = new String(valid, StandardCharsets.UTF_8).split("\n");
            int at = mutator.random().nextInt(lines.length);
            lines[at] = new String(mutator.mutateJson(lines[at].getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8);
            return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        }
        return mutator.mutateJson(valid);
    }

    private static byte[] jsonOf(Target target, byte[] protobuf) {
        try {
            Message m = target.path().endsWith("logs")
                    ? ExportLogsServiceRequest.parseFrom(protobuf)
                    : ExportMetricsServiceRequest.parseFrom(protobuf);
            return JsonFormat.printer().print(m).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void send(HttpClient http, Target target, byte[] body, Map<String, Map<Integer, AtomicInteger>> statuses,
            List<String> failures) {
        HttpRequest.Builder req = HttpRequest
                .newBuilder(URI.create("http://localhost:" + RestAssured.port + "/" + target.path()))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", target.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (target.name().equals("linear")) {
            String text = new String(body, StandardCharsets.ISO_8859_1).replace(Long.toString(LINEAR_NOW),
                    Long.toString(System.currentTimeMillis()));
            body = text.getBytes(StandardCharsets.ISO_8859_1);
            req.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        target.headers().forEach(req::header);
        target.signer().sign(body).forEach(req::header);
        HttpResponse<String> r;
        try {
            r = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            failures.add(target.name() + ": no answer (" + e + ") to " + preview(body));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        statuses.computeIfAbsent(target.name(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
        if (r.statusCode() >= 500) {
            failures.add(target.name() + ": " + r.statusCode() + " " + r.body() + " for " + preview(body));
        } else if (Mutator.JAVA_NAMES.matcher(r.body()).find()) {
            failures.add(target.name() + ": a Java name in " + r.body() + " for " + preview(body));
        }
    }

    private static String preview(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        return s.replace("\u0000", "\\0") + (body.length > 300 ? "... (" + body.length + " bytes)" : "");
    }

    private List<Target> targets(String token, String user, Instant t) {
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
        Signer none = b -> Map.of();
        List<Target> targets = new ArrayList<>();
        targets.add(new Target("usage-events", "api/v1/usage-events", "application/json",
                () -> json(List.of(usage("fz-u1", user, t), usage("fz-u2", user, t))), true, bearer, none, null));
        targets.add(new Target("usage-events ndjson", "api/v1/usage-events", "application/x-ndjson",
                () -> ndjson(usage("fz-n1", user, t), usage("fz-n2", user, t)), true, bearer, none, null));
        targets.add(new Target("outcome-events", "api/v1/outcome-events", "application/json",
                () -> json(List.of(outcome("fz-o1", user, t), outcome("fz-o2", user, t))), true, bearer, none,
                null));
        byte[] logs = logs("claude-code", List.of(
                apiRequest(user, "fz-s", 1, t, "claude-sonnet-4-5", 1000, 200, 50, 10, 0.25),
                apiRequest(user, "fz-s", 2, t.plusSeconds(1), "claude-opus-4-1", 2000, 400, 0, 0, 1.5)))
                .toByteArray();
        KeyValue s = attr("session.id", "fz-m"), u = attr("user.email", user), m = attr("model", "claude-sonnet-4-5");
        byte[] metrics = metrics("claude-code",
                sum("claude_code.token.usage", true, point(t.minusSeconds(60), t, 1000, s, u, m, attr("type", "input")),
                        point(t.minusSeconds(60), t, 300, s, u, m, attr("type", "output"))),
                sum("claude_code.cost.usage", false, point(t.minusSeconds(60), t, 0.5, s, u, m)),
                sum("claude_code.pull_request.count", false, point(t.minusSeconds(60), t, 1, u))).toByteArray();
        Converter toLogs = j -> toProtobuf(j, ExportLogsServiceRequest.newBuilder());
        Converter toMetrics = j -> toProtobuf(j, ExportMetricsServiceRequest.newBuilder());
        targets.add(new Target("logs json", "v1/logs", "application/json", () -> jsonOfLogs(logs), true, bearer,
                none, null));
        targets.add(new Target("logs protobuf", "v1/logs", "application/x-protobuf", () -> logs, false, bearer, none,
                toLogs));
        targets.add(new Target("metrics json", "v1/metrics", "application/json", () -> jsonOfMetrics(metrics), true,
                bearer, none, null));
        targets.add(new Target("metrics protobuf", "v1/metrics", "application/x-protobuf", () -> metrics, false,
                bearer, none, toMetrics));
        targets.add(new Target("github", "webhooks/github", "application/json", () -> github(user), true,
                Map.of("X-GitHub-Event", "pull_request", "X-GitHub-Delivery", "fuzz"),
                b -> Map.of("X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex("test-github-secret", b)),
                null));
        targets.add(new Target("linear", "webhooks/linear", "application/json", () -> linear(user), true, Map.of(),
                b -> Map.of("Linear-Signature", WebhookSignatures.hmacHex("test-linear-secret", b)), null));
        targets.add(new Target("jira", "webhooks/jira", "application/json", () -> jira(user), true,
                Map.of("X-Yardstick-Token", "test-jira-secret"), none, null));
        return targets;
    }

    private static byte[] toProtobuf(byte[] json, Message.Builder builder) {
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(new String(json, StandardCharsets.UTF_8), builder);
            return builder.build().toByteArray();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] jsonOfLogs(byte[] proto) {
        try {
            return JsonFormat.printer().print(ExportLogsServiceRequest.parseFrom(proto))
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] jsonOfMetrics(byte[] proto) {
        try {
            return JsonFormat.printer().print(ExportMetricsServiceRequest.parseFrom(proto))
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> usage(String id, String user, Instant t) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        e.put("time", t.toString());
        e.put("user", user);
        e.put("tool", "claude-code");
        e.put("model", "claude-sonnet-4-5");
        e.put("inputTokens", 1000);
        e.put("outputTokens", 500);
        e.put("cacheReadTokens", 10);
        e.put("costUsd", 0.25);
        e.put("requests", 2);
        e.put("sessionId", "fz-s");
        return e;
    }

    private static Map<String, Object> outcome(String id, String user, Instant t) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        e.put("time", t.toString());
        e.put("user", user);
        e.put("kind", "pr_merged");
        e.put("title", "Retry card payments");
        e.put("url", "https://example.com/pr/1");
        e.put("aiAssisted", true);
        return e;
    }

    private static byte[] github(String user) {
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("node_id", "PR_fuzz");
        pr.put("number", 42);
        pr.put("title", "Retry card payments");
        pr.put("body", "Co-authored-by: Claude <noreply@anthropic.com>");
        pr.put("html_url", "https://github.com/acme/payments/pull/42");
        pr.put("user", Map.of("login", "fuzz-dev", "id", 1));
        pr.put("labels", List.of(Map.of("name", "ai-assisted")));
        pr.put("merged", true);
        pr.put("merged_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60).toString());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "closed");
        payload.put("number", 42);
        payload.put("pull_request", pr);
        payload.put("repository", Map.of("full_name", "acme/payments", "id", 1296269));
        payload.put("sender", Map.of("login", "fuzz-dev", "id", 1));
        return json(payload);
    }

    private static byte[] linear(String user) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", "issue-fuzz");
        data.put("identifier", "ENG-1");
        data.put("title", "Retry card payments");
        data.put("number", 1);
        data.put("url", "https://linear.app/acme/issue/ENG-1");
        data.put("stateId", "state-done");
        data.put("state", Map.of("id", "state-done", "name", "Done", "type", "completed"));
        data.put("assigneeId", "a-1");
        data.put("assignee", Map.of("id", "a-1", "name", "Ana", "email", user));
        data.put("labels", List.of(Map.of("id", "l-1", "name", "ai-assisted")));
        data.put("completedAt", now.minusSeconds(1).toString());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "update");
        payload.put("type", "Issue");
        payload.put("actor", Map.of("id", "a-1", "name", "Ana"));
        payload.put("data", data);
        payload.put("url", "https://linear.app/acme/issue/ENG-1");
        payload.put("updatedFrom", Map.of("stateId", "state-todo", "updatedAt", now.minusSeconds(30).toString()));
        payload.put("webhookTimestamp", LINEAR_NOW);
        return json(payload);
    }

    private static byte[] jira(String user) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("summary", "Retry card payments");
        fields.put("status", Map.of("name", "Done", "statusCategory", Map.of("id", 3, "key", "done")));
        fields.put("assignee", Map.of("emailAddress", user, "displayName", "Ana"));
        fields.put("labels", List.of("ai-assisted"));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("timestamp", System.currentTimeMillis());
        payload.put("webhookEvent", "jira:issue_updated");
        payload.put("issue", Map.of("id", "10042", "key", "PAY-7",
                "self", "https://acme.atlassian.net/rest/api/2/issue/10042", "fields", fields));
        payload.put("changelog", Map.of("id", "5001", "items", List.of(Map.of("field", "status"))));
        return json(payload);
    }

    private static byte[] ndjson(Object... events) {
        StringBuilder sb = new StringBuilder();
        for (Object e : events) {
            sb.append(new String(json(e), StandardCharsets.UTF_8)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
