import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The runaway-detection corpus (bench/runaway.sh): labelled Claude Code sessions, healthy and looping, as Claude
 * Code's OpenTelemetry log exporter sends them ({@code api_request}, {@code user_prompt}, {@code tool_result},
 * {@code api_error}), through the public OTLP endpoint, in event-time order over the last nine hours, one simulated
 * minute after another. Prints the corpus's labels as TSV on stdout (class, email, session, loop start, deadline),
 * for the script to score against the alerts raised.
 *
 * <p>Args: base-url admin-token seed scale
 */
public class RunawayBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Prices in USD per million tokens: input, output, cache read, cache write. */
    static final Map<String, double[]> PRICES = Map.of(
            "claude-opus-4-1", new double[]{15, 75, 1.5, 18.75},
            "claude-opus-4-5", new double[]{5, 25, 0.5, 6.25},
            "claude-sonnet-4-5", new double[]{3, 15, 0.3, 3.75},
            "claude-haiku-4-5", new double[]{1, 5, 0.1, 1.25});

    /** One log record to send: when, and what. */
    record Rec(long ms, String email, String session, String event, Map<String, Object> attrs) {
    }

    /** A session of the corpus: its class, person, records, and for loops when the loop began and the deadline. */
    static final class Session {

        final String cls;
        final boolean loop;
        final String email;
        final String team;
        final String id;
        final List<Rec> recs = new ArrayList<>();
        long loopStart = -1;
        double loopCostPerSecond;
        double cost;
        long ctxPrev;

        Session(String cls, boolean loop, String email, String team, boolean withId, Random r) {
            this.cls = cls;
            this.loop = loop;
            this.email = email;
            this.team = team;
            this.id = withId ? new UUID(r.nextLong(), r.nextLong()).toString() : null;
        }

        /** A model request: the context so far read from cache, what is new written to it, a few uncached tokens. */
        double request(long ms, String model, long ctx, long out, int uncached) {
            long write = Math.max(0, ctx - ctxPrev - uncached);
            long read = Math.max(0, ctx - write - uncached);
            ctxPrev = ctx;
            return send(ms, model, uncached, out, read, write);
        }

        /** The same request again: nothing new to write. */
        double repeat(long ms, String model, long ctx, long out, int uncached) {
            return send(ms, model, uncached, out, ctx - uncached, 0);
        }

        double send(long ms, String model, long in, long out, long read, long write) {
            double[] p = PRICES.get(model);
            double usd = (in * p[0] + out * p[1] + read * p[2] + write * p[3]) / 1e6;
            cost += usd;
            Map<String, Object> a = new HashMap<>();
            a.put("model", model);
            a.put("input_tokens", in);
            a.put("output_tokens", out);
            a.put("cache_read_tokens", read);
            a.put("cache_creation_tokens", write);
            a.put("cost_usd", String.format(Locale.ROOT, "%.6f", usd));
            a.put("duration_ms", Long.toString(2_000 + out * 20));
            a.put("request_id", "req_" + UUID.randomUUID());
            recs.add(new Rec(ms, email, id, "api_request", a));
            return usd;
        }

        void prompt(long ms) {
            recs.add(new Rec(ms, email, id, "user_prompt", Map.of("prompt_length", "140")));
        }

        void toolResult(long ms, boolean ok) {
            recs.add(new Rec(ms, email, id, "tool_result", Map.of("tool_name", ok ? "Edit" : "Bash",
                    "success", ok ? "true" : "false", "duration_ms", "350")));
        }

        void apiError(long ms, String model) {
            recs.add(new Rec(ms, email, id, "api_error", Map.of("model", model, "error", "Overloaded",
                    "status_code", "529", "attempt", "1")));
        }
    }

    static long sec(long ms, double s) {
        return ms + (long) (s * 1000);
    }

    /** Healthy work: prompts every few minutes, an agentic burst after each, the context growing. */
    static long work(Session s, Random r, long from, long until, String model, boolean prompts, int gapS) {
        long t = from;
        long ctx = s.ctxPrev > 0 ? s.ctxPrev : 15_000 + r.nextInt(10_000);
        while (t < until) {
            if (prompts) {
                s.prompt(t);
                t = sec(t, 2 + r.nextInt(5));
            }
            int burst = 3 + r.nextInt(25);
            for (int i = 0; i < burst && t < until; i++) {
                ctx += 300 + r.nextInt(4_000);
                if (ctx > 165_000) {
                    ctx = 30_000 + r.nextInt(10_000); // compacted
                    s.ctxPrev = 0;
                }
                s.request(t, model, ctx, 80 + r.nextInt(3_000), 3 + r.nextInt(300));
                if (r.nextInt(5) == 0) { // a small Haiku side request
                    s.request(sec(t, 0.3), "claude-haiku-4-5", 300 + r.nextInt(900), 10 + r.nextInt(40), 300);
                    s.ctxPrev = ctx;
                }
                boolean ok = r.nextInt(10) != 0;
                s.toolResult(sec(t, 1.5), ok);
                if (r.nextInt(60) == 0) {
                    s.apiError(sec(t, 2), model);
                }
                t = sec(t, gapS + r.nextInt(gapS * 2 + 1));
            }
            t = sec(t, prompts ? 30 + r.nextInt(400) : 1 + r.nextInt(5));
        }
        return t;
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("score")) {
            score(java.nio.file.Path.of(args[1]), java.nio.file.Path.of(args[2]));
            return;
        }
        String base = args[0];
        String admin = args[1];
        long seed = Long.parseLong(args[2]);
        int scale = Integer.parseInt(args[3]);
        PrintStream out = System.out;
        Random r = new Random(seed);
        long now = Instant.now().toEpochMilli() / 60_000 * 60_000;
        long start = now - 9 * 3_600_000L;
        long end = now - 120_000L;
        // a day team (local time about 17:00 now, so the corpus runs through a working day) and a night team
        // (about 06:00 now: the corpus runs through the night)
        int hour = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).getHour();
        String dayZone = zone(17 - hour), nightZone = zone(6 - hour);
        team(base, admin, "rb-day", dayZone);
        team(base, admin, "rb-night", nightZone);
        String token = new String(send("POST", base + "/api/v1/ingest-tokens", admin, "application/json",
                "{\"name\":\"runaway-bench\"}".getBytes(), 201)).replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");

        List<Session> sessions = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        String[][] plan = { // class, loop?, team, sessions at scale 1, with a session id?
            {"healthy-heavy", "n", "rb-day", "60", "y"}, {"healthy-autonomous", "n", "rb-day", "40", "y"},
            {"healthy-autonomous-night", "n", "rb-night", "20", "y"}, {"healthy-chatty-multiagent", "n", "rb-day", "40", "y"},
            {"healthy-night-prompting", "n", "rb-night", "30", "y"}, {"healthy-usage-only", "n", "rb-day", "20", "n"},
            {"loop-tight-retry", "y", "rb-day", "25", "y"}, {"loop-slow-haiku", "y", "rb-night", "15", "y"},
            {"loop-overnight", "y", "rb-night", "15", "y"}, {"loop-usage-only", "y", "rb-day", "10", "n"}};
        int person = 0;
        for (String[] p : plan) {
            int n = Integer.parseInt(p[3]) * scale;
            for (int i = 0; i < n; i++) {
                String email = String.format("rb%04d@bench.example.com", person++);
                Session s = new Session(p[0], p[1].equals("y"), email, p[2], p[4].equals("y"), r);
                generate(s, r, start, end);
                if (!s.recs.isEmpty()) {
                    sessions.add(s);
                    counts.merge(p[0], 1, Integer::sum);
                }
            }
        }
        for (Session s : sessions) {
            send("PUT", base + "/api/v1/members/" + s.email, admin, "application/json",
                    ("{\"displayName\":\"Dev\",\"team\":\"" + s.team + "\"}").getBytes(), 201);
        }
        // all records in event-time order, one simulated minute a request (in chunks)
        List<Rec> all = new ArrayList<>();
        for (Session s : sessions) {
            all.addAll(s.recs);
        }
        all.sort((a, b) -> Long.compare(a.ms(), b.ms()));
        long t0 = System.nanoTime();
        int requests = 0;
        for (int i = 0; i < all.size();) {
            long minute = all.get(i).ms() / 60_000;
            int j = i;
            while (j < all.size() && all.get(j).ms() / 60_000 == minute && j - i < 2_000) {
                j++;
            }
            send("POST", base + "/v1/logs", token, "application/x-protobuf", batch(all.subList(i, j)).toByteArray(),
                    200);
            requests++;
            i = j;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.err.printf(Locale.ROOT, "sent %d records (%d sessions) in %d requests, %.1f s (%.0f records/s)%n",
                all.size(), sessions.size(), requests, secs, all.size() / secs);
        out.println("#zones\t" + dayZone + "\t" + nightZone + "\trecords=" + all.size() + "\tseconds="
                + String.format(Locale.ROOT, "%.1f", secs));
        for (Session s : sessions) {
            long deadline = s.loop ? s.loopStart + Math.max(300_000L, (long) (10 / s.loopCostPerSecond * 1000)) : -1;
            out.println(String.join("\t", s.cls, s.email, s.id == null ? "-" : s.id,
                    Long.toString(s.loop ? s.loopStart / 1000 : -1), Long.toString(s.loop ? deadline / 1000 : -1),
                    String.format(Locale.ROOT, "%.2f", s.cost)));
        }
    }

    /**
     * Scores the alerts raised (TSV: email, session key, reason, evidence time in epoch seconds, evidence) against
     * the labels, per class, as a Markdown table on stdout; the misses and false alerts after it.
     */
    static void score(java.nio.file.Path labels, java.nio.file.Path alerts) throws Exception {
        Map<String, List<String[]>> byEmail = new HashMap<>();
        for (String line : java.nio.file.Files.readAllLines(alerts)) {
            if (!line.isBlank()) {
                String[] a = line.split("\t", -1);
                byEmail.computeIfAbsent(a[0], k -> new ArrayList<>()).add(a);
            }
        }
        Map<String, int[]> counts = new TreeMap<>(); // sessions, alerted in time, alerted late, false/early alerts
        Map<String, List<Long>> delays = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(labels)) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] l = line.split("\t");
            String cls = l[0], email = l[1];
            long loopStart = Long.parseLong(l[3]), deadline = Long.parseLong(l[4]);
            int[] c = counts.computeIfAbsent(cls, k -> new int[4]);
            c[0]++;
            List<String[]> as = byEmail.getOrDefault(email, List.of());
            if (loopStart < 0) {
                if (!as.isEmpty()) {
                    c[3]++;
                    notes.add("false alert, " + cls + " " + l[2] + " ($" + l[5] + "): " + as.get(0)[2] + ": "
                            + as.get(0)[4]);
                }
                continue;
            }
            String[] first = null;
            for (String[] a : as) {
                if (first == null || Long.parseLong(a[3]) < Long.parseLong(first[3])) {
                    first = a;
                }
            }
            if (first == null) {
                notes.add("missed, " + cls + " " + l[2] + " ($" + l[5] + " in all)");
                continue;
            }
            long at = Long.parseLong(first[3]);
            if (at < loopStart - 60) {
                c[3]++;
                notes.add("alert before the loop began, " + cls + " " + l[2] + ": " + first[4]);
                continue;
            }
            delays.computeIfAbsent(cls, k -> new ArrayList<>()).add(at - loopStart);
            if (at <= deadline) {
                c[1]++;
            } else {
                c[2]++;
                notes.add("late (" + (at - loopStart) / 60 + " min; deadline " + (deadline - loopStart) / 60
                        + " min), " + cls + " " + l[2] + ": " + first[4]);
            }
        }
        System.out.println("| Class | Sessions | Alerted by the deadline | Late | False or early alerts | Time to alert"
                + " (event time) p50 / p95 / max |");
        System.out.println("|---|---|---|---|---|---|");
        int healthy = 0, falseAlerts = 0;
        for (var e : counts.entrySet()) {
            int[] c = e.getValue();
            boolean loop = e.getKey().startsWith("loop");
            if (!loop) {
                healthy += c[0];
                falseAlerts += c[3];
            }
            List<Long> d = delays.getOrDefault(e.getKey(), new ArrayList<>());
            d.sort(null);
            String t = d.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f / %.1f / %.1f min",
                    d.get(d.size() / 2) / 60.0, d.get(Math.min(d.size() - 1, (int) Math.ceil(d.size() * 0.95) - 1)) / 60.0,
                    d.get(d.size() - 1) / 60.0);
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %d | %s |%n", e.getKey(), c[0],
                    loop ? String.format(Locale.ROOT, "%d (%.1f%%)", c[1], 100.0 * c[1] / c[0]) : "-",
                    loop ? Integer.toString(c[2]) : "-", c[3], loop ? t : "-");
        }
        System.out.printf(Locale.ROOT, "%nHealthy sessions: %d, false alerts: %d (%.2f per 200).%n", healthy,
                falseAlerts, healthy == 0 ? 0 : 200.0 * falseAlerts / healthy);
        if (!notes.isEmpty()) {
            System.out.println();
            System.out.println("Misses and false alerts:");
            System.out.println();
            notes.forEach(n -> System.out.println("- " + n));
        }
    }

    static String zone(int offset) {
        int o = Math.floorMod(offset + 12, 24) - 12;
        return "Etc/GMT" + (o >= 0 ? "-" : "+") + Math.abs(o);
    }

    static void generate(Session s, Random r, long start, long end) {
        switch (s.cls) {
            case "healthy-heavy", "healthy-night-prompting" -> {
                long len = (60 + r.nextInt(120)) * 60_000L;
                long from = start + (long) (r.nextDouble() * (end - start - len));
                work(s, r, from, from + len, r.nextBoolean() ? "claude-opus-4-1" : "claude-opus-4-5", true, 4);
            }
            case "healthy-autonomous", "healthy-autonomous-night" -> {
                long len = (60 + r.nextInt(240)) * 60_000L;
                long from = start + (long) (r.nextDouble() * Math.max(1, end - start - len));
                s.prompt(from);
                work(s, r, sec(from, 5), Math.min(end, from + len),
                        r.nextBoolean() ? "claude-sonnet-4-5" : "claude-opus-4-5", false, 5);
            }
            case "healthy-usage-only" -> {
                long len = (60 + r.nextInt(120)) * 60_000L;
                long from = start + (long) (r.nextDouble() * (end - start - len));
                work(s, r, from, from + len, "claude-sonnet-4-5", false, 8);
                s.recs.removeIf(x -> !x.event().equals("api_request"));
            }
            case "healthy-chatty-multiagent" -> {
                long len = (20 + r.nextInt(50)) * 60_000L;
                long from = start + (long) (r.nextDouble() * (end - start - len));
                int agents = 3 + r.nextInt(6);
                for (int a = 0; a < agents; a++) { // subagents share the session id, each its own context
                    Session sub = new Session(s.cls, false, s.email, s.team, false, r);
                    sub.ctxPrev = 0;
                    long ctx = 12_000 + r.nextInt(3_000);
                    long t = sec(from, a * (1 + r.nextInt(20)));
                    String model = a == 0 ? "claude-opus-4-5" : r.nextBoolean() ? "claude-haiku-4-5" : "claude-sonnet-4-5";
                    while (t < from + len) {
                        if (a == 0 && r.nextInt(25) == 0) {
                            sub.prompt(t);
                        }
                        ctx += 200 + r.nextInt(3_000);
                        if (ctx > 150_000) {
                            ctx = 20_000 + r.nextInt(8_000);
                            sub.ctxPrev = 0;
                        }
                        sub.request(t, model, ctx, 50 + r.nextInt(2_000), 3 + r.nextInt(200));
                        sub.toolResult(sec(t, 1), r.nextInt(8) != 0);
                        t = sec(t, 3 + r.nextInt(12));
                    }
                    for (Rec x : sub.recs) {
                        s.recs.add(new Rec(x.ms(), x.email(), s.id, x.event(), x.attrs()));
                    }
                    s.cost += sub.cost;
                }
                s.prompt(sec(from, -5));
            }
            case "loop-tight-retry" -> {
                long len = (20 + r.nextInt(40)) * 60_000L;
                long from = start + (long) (r.nextDouble() * (end - start - len - 40 * 60_000L));
                String model = r.nextBoolean() ? "claude-opus-4-5" : "claude-sonnet-4-5";
                long t = work(s, r, from, from + (5 + r.nextInt(25)) * 60_000L, model, true, 4);
                long ctx = s.ctxPrev + 2_000;
                int uncached = 5 + r.nextInt(200);
                s.loopStart = t;
                double spent = 0;
                s.request(t, model, ctx, 150, uncached); // the step that starts failing
                while (t < s.loopStart + len) {
                    spent += s.repeat(t, model, ctx, 40 + r.nextInt(300), uncached);
                    s.toolResult(sec(t, 1), false);
                    if (r.nextInt(8) == 0) {
                        s.apiError(sec(t, 1.5), model);
                    }
                    t = sec(t, 2 + r.nextInt(5));
                }
                s.loopCostPerSecond = spent / ((t - s.loopStart) / 1000.0);
            }
            case "loop-slow-haiku" -> {
                long from = start + (long) (r.nextDouble() * 60 * 60_000L);
                long t = work(s, r, from, from + (5 + r.nextInt(20)) * 60_000L, "claude-sonnet-4-5", true, 5);
                long ctx = 40_000 + r.nextInt(110_000);
                s.loopStart = t;
                double spent = 0;
                while (t < end) {
                    spent += s.repeat(t, "claude-haiku-4-5", ctx + r.nextInt(8), 20 + r.nextInt(200), 40);
                    s.toolResult(sec(t, 1), false);
                    t = sec(t, 30 + r.nextInt(90));
                }
                s.loopCostPerSecond = spent / ((t - s.loopStart) / 1000.0);
            }
            case "loop-overnight" -> {
                long from = start + (long) (r.nextDouble() * 3 * 60 * 60_000L);
                String model = r.nextBoolean() ? "claude-opus-4-5" : "claude-sonnet-4-5";
                long t = work(s, r, from, from + (10 + r.nextInt(30)) * 60_000L, model, true, 5);
                int steps = 3 + r.nextInt(4);
                long[] ctx = new long[steps];
                for (int k = 0; k < steps; k++) {
                    ctx[k] = s.ctxPrev + 1_000 + k * (1_500 + r.nextInt(4_000));
                }
                s.loopStart = t;
                double spent = 0;
                for (int k = 0; t < end; k = (k + 1) % steps) {
                    spent += s.repeat(t, model, ctx[k] + r.nextInt(6), 100 + r.nextInt(1_100), 30);
                    s.toolResult(sec(t, 2), k != steps - 1);
                    t = sec(t, 15 + r.nextInt(45));
                }
                s.loopCostPerSecond = spent / ((t - s.loopStart) / 1000.0);
            }
            case "loop-usage-only" -> {
                long len = (30 + r.nextInt(60)) * 60_000L;
                long from = start + (long) (r.nextDouble() * (end - start - len - 30 * 60_000L));
                long t = work(s, r, from, from + (5 + r.nextInt(20)) * 60_000L, "claude-sonnet-4-5", false, 8);
                long ctx = s.ctxPrev + 1_500;
                s.loopStart = t;
                double spent = 0;
                while (t < s.loopStart + len) {
                    spent += s.repeat(t, "claude-sonnet-4-5", ctx, 60 + r.nextInt(400), 12);
                    t = sec(t, 3 + r.nextInt(17));
                }
                s.loopCostPerSecond = spent / ((t - s.loopStart) / 1000.0);
                s.recs.removeIf(x -> !x.event().equals("api_request"));
            }
            default -> throw new IllegalArgumentException(s.cls);
        }
    }

    static KeyValue kv(String key, Object value) {
        AnyValue.Builder v = AnyValue.newBuilder();
        if (value instanceof Long l) {
            v.setIntValue(l);
        } else {
            v.setStringValue(value.toString());
        }
        return KeyValue.newBuilder().setKey(key).setValue(v).build();
    }

    static ExportLogsServiceRequest batch(List<Rec> recs) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder().setScope(
                io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder().setName("com.anthropic.claude_code.events"));
        for (Rec x : recs) {
            LogRecord.Builder b = LogRecord.newBuilder().setTimeUnixNano(x.ms() * 1_000_000)
                    .setObservedTimeUnixNano(x.ms() * 1_000_000)
                    .setBody(AnyValue.newBuilder().setStringValue("claude_code." + x.event()))
                    .addAttributes(kv("event.name", x.event()))
                    .addAttributes(kv("event.timestamp", Instant.ofEpochMilli(x.ms()).toString()))
                    .addAttributes(kv("user.email", x.email()));
            if (x.session() != null) {
                b.addAttributes(kv("session.id", x.session()));
            }
            x.attrs().forEach((k, v) -> b.addAttributes(kv(k, v)));
            scope.addLogRecords(b);
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code"))
                        .addAttributes(kv("service.version", "2.1.0")))
                .addScopeLogs(scope)).build();
    }

    static void team(String base, String admin, String key, String zone) {
        send("PUT", base + "/api/v1/teams/" + key, admin, "application/json",
                ("{\"name\":\"" + key + "\",\"timezone\":\"" + zone + "\"}").getBytes(), 201);
    }

    static byte[] send(String method, String url, String token, String type, byte[] body, int expect) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
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
