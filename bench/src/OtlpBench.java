import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OTLP intake benchmark client, run by bench/otlp.sh against a service it started on 127.0.0.1:
 * CLIENTS concurrent senders POST OTLP/HTTP protobuf log batches of BATCH {@code claude_code.api_request}
 * records each (attributes as Claude Code sends them) to {@code /v1/logs}, first WARMUP events (in
 * 100,000-event steps), then EVENTS measured ones. Requests are serialized before the clock starts. Checks the team summary's request count afterwards. Prints one line:
 * {@code events=N seconds=S rate=R p50=ms p99=ms max=ms}.
 *
 * <p>Usage: {@code java -cp <opentelemetry-proto.jar>:<protobuf-java.jar> bench/src/OtlpBench.java
 * <base-url> <admin-token> <clients> <batch> <warmup> <events> <members>}
 */
public class OtlpBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final String[] MODELS = {"claude-sonnet-4-5", "claude-sonnet-4-5", "claude-sonnet-4-5", "claude-opus-4-5",
            "claude-haiku-4-5"};

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String admin = args[1];
        int clients = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        long warmup = Long.parseLong(args[4]);
        long events = Long.parseLong(args[5]);
        int members = Integer.parseInt(args[6]);
        send("PUT", base + "/api/v1/teams/otlp-bench", admin, "application/json",
                "{\"name\":\"OTLP bench\",\"timezone\":\"UTC\"}".getBytes(), 201);
        String[] emails = new String[members];
        for (int m = 0; m < members; m++) {
            emails[m] = String.format("dev%03d@bench.example.com", m);
            send("PUT", base + "/api/v1/members/" + emails[m], admin, "application/json",
                    "{\"displayName\":\"Dev\",\"team\":\"otlp-bench\"}".getBytes(), 201);
        }
        String token = new String(send("POST", base + "/api/v1/ingest-tokens", admin, "application/json",
                "{\"name\":\"otlp-bench\"}".getBytes(), 201)).replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");

        for (long done = 0; done < warmup; done += 100_000) {
            long step = Math.min(100_000, warmup - done);
            byte[][] bodies = bodies(emails, batch, step);
            long t = System.nanoTime();
            run(base, token, clients, bodies, new long[bodies.length]);
            System.err.printf(Locale.ROOT, "warm-up step: %.0f events/s%n", step / ((System.nanoTime() - t) / 1e9));
        }
        byte[][] bodies = bodies(emails, batch, events);
        long[] latencies = new long[bodies.length];
        long t0 = System.nanoTime();
        long sent = run(base, token, clients, bodies, latencies) == bodies.length ? events : -1;
        double seconds = (System.nanoTime() - t0) / 1e9;

        String summary = new String(send("GET", base + "/api/v1/teams/otlp-bench/summary?from="
                + java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1) + "&to="
                + java.time.LocalDate.now(java.time.ZoneOffset.UTC), admin, null, null, 200));
        long requests = Long.parseLong(summary.replaceAll(".*\"requests\":(\\d+).*", "$1"));
        if (requests != warmup + sent) {
            throw new IllegalStateException("the summary counts " + requests + " requests, " + (warmup + sent)
                    + " were sent");
        }
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "events=%d seconds=%.2f rate=%.0f p50=%.0f p99=%.0f max=%.0f%n", sent,
                seconds, sent / seconds, latencies[latencies.length / 2] / 1e6,
                latencies[(int) (latencies.length * 0.99)] / 1e6, latencies[latencies.length - 1] / 1e6);
    }

    /** {@code total} events as serialized export requests of {@code batch} records, made before the clock starts. */
    static byte[][] bodies(String[] emails, int batch, long total) {
        byte[][] bodies = new byte[(int) ((total + batch - 1) / batch)][];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = batch(emails, (int) Math.min(batch, total - (long) i * batch)).toByteArray();
        }
        return bodies;
    }

    /** POSTs the bodies from {@code clients} threads; returns how many were sent. */
    static long run(String base, String token, int clients, byte[][] bodies, long[] latencies) throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            work.add(pool.submit(() -> {
                int i;
                while ((i = (int) next.getAndIncrement()) < bodies.length) {
                    long t = System.nanoTime();
                    send("POST", base + "/v1/logs", token, "application/x-protobuf", bodies[i], 200);
                    latencies[i] = System.nanoTime() - t;
                    sent.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        return sent.get();
    }

    static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    static KeyValue kv(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    /** One export of Claude Code's log exporter: api_request records of one person's session. */
    static ExportLogsServiceRequest batch(String[] emails, int n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String email = emails[r.nextInt(emails.length)];
        String session = new UUID(r.nextLong(), r.nextLong()).toString();
        long now = Instant.now().toEpochMilli();
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        for (int i = 0; i < n; i++) {
            long t = now - 5_000 - r.nextLong(3_600_000);
            String model = MODELS[r.nextInt(MODELS.length)];
            long in = 20 + r.nextLong(5000), out = 10 + r.nextLong(1400), cr = r.nextLong(70_000),
                    cw = r.nextInt(3) == 0 ? r.nextLong(8000) : 0;
            double cost = (in * 3 + out * 15 + cr * 0.3 + cw * 3.75) / 1e6;
            scope.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(t * 1_000_000)
                    .setObservedTimeUnixNano(t * 1_000_000)
                    .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
                    .addAttributes(kv("user.id", "u-" + email.hashCode()))
                    .addAttributes(kv("session.id", session))
                    .addAttributes(kv("organization.id", "org-bench"))
                    .addAttributes(kv("user.email", email))
                    .addAttributes(kv("user.account_uuid", "acc-" + email.hashCode()))
                    .addAttributes(kv("terminal.type", "vscode"))
                    .addAttributes(kv("event.name", "api_request"))
                    .addAttributes(kv("event.timestamp", Instant.ofEpochMilli(t).toString()))
                    .addAttributes(kv("event.sequence", i))
                    .addAttributes(kv("prompt.id", new UUID(r.nextLong(), r.nextLong()).toString()))
                    .addAttributes(kv("model", model))
                    .addAttributes(kv("cost_usd", Double.toString(cost)))
                    .addAttributes(kv("duration_ms", Long.toString(800 + r.nextLong(20_000))))
                    .addAttributes(kv("input_tokens", Long.toString(in)))
                    .addAttributes(kv("output_tokens", Long.toString(out)))
                    .addAttributes(kv("cache_read_tokens", Long.toString(cr)))
                    .addAttributes(kv("cache_creation_tokens", Long.toString(cw)))
                    .addAttributes(kv("request_id", "req_" + new UUID(r.nextLong(), r.nextLong())))
                    .addAttributes(kv("speed", "normal")));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code"))
                        .addAttributes(kv("service.version", "2.1.0")).addAttributes(kv("os.type", "linux")))
                .addScopeLogs(scope.setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                        .setName("com.anthropic.claude_code.events")))).build();
    }

    static byte[] send(String method, String url, String token, String type, byte[] body, int expect) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        if (type != null) {
            b.header("Content-Type", type);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<byte[]> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != expect && !(expect == 201 && res.statusCode() == 200)) {
                throw new IllegalStateException(method + " " + url + " answered " + res.statusCode() + ": "
                        + new String(res.body()));
            }
            return res.body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
