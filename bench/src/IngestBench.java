import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Yardstick's benchmark client: run by bench/run.sh against a service it started on 127.0.0.1.
 *
 * <p>Run as a single-file program: {@code java -cp <pgjdbc.jar> bench/src/IngestBench.java --base
 * http://127.0.0.1:PORT --admin-token T --jdbc jdbc:postgresql://127.0.0.1:5432/yardstick_bench
 * --out bench/results}. It measures, in one run and in this order:
 * <ol>
 *   <li>ingest throughput: 4 clients POSTing 1,000-event NDJSON batches (a long warm-up first),
 *       in rounds, each followed by</li>
 *   <li>the same rows loaded by PostgreSQL's COPY into a copy of the table (the reference);</li>
 *   <li>single-event POST latency, sequential from one client;</li>
 *   <li>the load of a 100-member team with 12 months of events through the ingest API;</li>
 *   <li>summary reads of that team over 12 months, one month and one week.</li>
 * </ol>
 * Only 127.0.0.1 is ever contacted; every phase has a deadline.
 */
public class IngestBench {

    // ---------------------------------------------------------------- settings

    static final Map<String, String> OPTS = new LinkedHashMap<>();

    static String opt(String name, String def) {
        return OPTS.getOrDefault(name, def);
    }

    static int intOpt(String name, int def) {
        return Integer.parseInt(opt(name, String.valueOf(def)).replace("_", ""));
    }

    static String base;
    static String adminToken;
    static String ingestToken;
    static String jdbcUrl;
    static String dbUser;
    static HttpClient http;
    static final ZoneId SUMMARY_ZONE = ZoneId.of("Europe/Berlin");

    // ---------------------------------------------------------------- event generation

    /** A tool/model pair, with the list prices (USD per million tokens) used for reported costs. */
    record Combo(String tool, String model, boolean reportsCost, double in, double out, double cr, double cw,
            int weight) {
    }

    // Claude Code reports its own cost; the others send tokens only and the service prices them.
    static final Combo[] COMBOS = {
        new Combo("claude-code", "claude-sonnet-4-5", true, 3, 15, 0.30, 3.75, 45),
        new Combo("claude-code", "claude-opus-4-5", true, 5, 25, 0.50, 6.25, 15),
        new Combo("claude-code", "claude-haiku-4-5", true, 1, 5, 0.10, 1.25, 10),
        new Combo("cursor", "claude-sonnet-4-5", false, 0, 0, 0, 0, 8),
        new Combo("cursor", "gpt-5.5", false, 0, 0, 0, 0, 5),
        new Combo("copilot", "gpt-5.5", false, 0, 0, 0, 0, 4),
        new Combo("copilot", "claude-sonnet-4-5", false, 0, 0, 0, 0, 3),
        new Combo("codex", "gpt-5.6-sol", false, 0, 0, 0, 0, 5),
        new Combo("codex", "gpt-5.6-terra", false, 0, 0, 0, 0, 3),
        new Combo("gemini-cli", "gemini-2.5-pro", false, 0, 0, 0, 0, 2),
    };

    /** One person: an email and the 3 to 5 tool/model pairs they use, with their own weights. */
    record Person(String email, Combo[] combos, int[] cumulative) {

        static Person random(String email, ThreadLocalRandom r) {
            List<Combo> pool = new ArrayList<>(Arrays.asList(COMBOS));
            int n = 3 + r.nextInt(3);
            List<Combo> mine = new ArrayList<>();
            // Most people live in Claude Code; everyone gets their first pick by the global weights.
            while (mine.size() < n && !pool.isEmpty()) {
                int total = pool.stream().mapToInt(Combo::weight).sum();
                int x = r.nextInt(total);
                for (Combo c : pool) {
                    x -= c.weight();
                    if (x < 0) {
                        mine.add(c);
                        pool.remove(c);
                        break;
                    }
                }
            }
            int[] cum = new int[mine.size()];
            int acc = 0;
            for (int i = 0; i < mine.size(); i++) {
                acc += mine.get(i).weight() * (1 + r.nextInt(3));
                cum[i] = acc;
            }
            return new Person(email, mine.toArray(Combo[]::new), cum);
        }

        Combo pick(ThreadLocalRandom r) {
            int x = r.nextInt(cumulative[cumulative.length - 1]);
            for (int i = 0; i < cumulative.length; i++) {
                if (x < cumulative[i]) {
                    return combos[i];
                }
            }
            return combos[combos.length - 1];
        }
    }

    /** Running totals of what was sent, to check the summary against. */
    static final class Sent {
        final LongAdder events = new LongAdder();
        final LongAdder input = new LongAdder();
        final LongAdder requests = new LongAdder();
    }

    static long expo(ThreadLocalRandom r, double mean) {
        return (long) (-Math.log(1 - r.nextDouble()) * mean);
    }

    /**
     * Appends one usage event as a JSON object. {@code spanSeconds}: the event time is uniform over
     * that many seconds before now (weekends four times rarer).
     */
    static void event(StringBuilder sb, String idPrefix, Person p, long nowMs, long spanSeconds,
            ThreadLocalRandom r, Sent sent) {
        long t;
        while (true) {
            t = nowMs - 5_000 - (long) (r.nextDouble() * spanSeconds * 1000);
            int dow = Instant.ofEpochMilli(t).atZone(SUMMARY_ZONE).getDayOfWeek().getValue();
            if (dow < 6 || r.nextInt(4) == 0) {
                break;
            }
        }
        Combo c = p.pick(r);
        long in = 20 + expo(r, 2500);
        long out = 10 + expo(r, 700);
        long cr = c.tool().equals("claude-code") || r.nextBoolean() ? expo(r, 35_000) : 0;
        long cw = r.nextInt(3) == 0 ? expo(r, 4_000) : 0;
        int requests = 1 + (r.nextInt(5) == 0 ? r.nextInt(4) : 0);
        sb.append("{\"id\":\"").append(idPrefix).append(new UUID(r.nextLong(), r.nextLong()))
                .append("\",\"time\":\"").append(Instant.ofEpochMilli(t))
                .append("\",\"user\":\"").append(p.email())
                .append("\",\"tool\":\"").append(c.tool())
                .append("\",\"model\":\"").append(c.model())
                .append("\",\"inputTokens\":").append(in)
                .append(",\"outputTokens\":").append(out)
                .append(",\"cacheReadTokens\":").append(cr)
                .append(",\"cacheWriteTokens\":").append(cw);
        if (c.reportsCost()) {
            long micros = Math.round((in * c.in() + out * c.out() + cr * c.cr() + cw * c.cw()));
            sb.append(",\"costUsd\":").append(micros / 1_000_000).append('.')
                    .append(String.format(Locale.ROOT, "%06d", micros % 1_000_000));
        }
        sb.append(",\"requests\":").append(requests)
                .append(",\"sessionId\":\"sess-").append(Math.abs(p.email().hashCode() % 997)).append('-')
                .append(t / 3_600_000L).append("\"}");
        if (sent != null) {
            sent.events.increment();
            sent.input.add(in);
            sent.requests.add(requests);
        }
    }

    static byte[] ndjsonBatch(String idPrefix, Person[] people, int size, long nowMs, long spanSeconds, Sent sent) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(size * 330);
        for (int i = 0; i < size; i++) {
            // A few heavy users and a long tail: person index skewed towards the front.
            int pi = (int) (Math.pow(r.nextDouble(), 1.6) * people.length);
            event(sb, idPrefix, people[pi], nowMs, spanSeconds, r, sent);
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- HTTP

    static HttpResponse<String> send(String method, String path, String token, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String adminJson(String method, String path, String json, int... expected)
            throws IOException, InterruptedException {
        HttpResponse<String> res = send(method, path, adminToken, "application/json",
                json.getBytes(StandardCharsets.UTF_8));
        for (int e : expected) {
            if (res.statusCode() == e) {
                return res.body();
            }
        }
        throw new IllegalStateException(method + " " + path + " -> " + res.statusCode() + ": " + res.body());
    }

    static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");
    static final Pattern DUPLICATES = Pattern.compile("\"duplicates\"\\s*:\\s*(\\d+)");

    static long num(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + body);
        }
        return Long.parseLong(m.group(1));
    }

    /** Outcome of a batch phase. */
    static final class BatchStats {
        final LongAdder accepted = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder failedRequests = new LongAdder();
        final AtomicInteger batches = new AtomicInteger();
        final List<Long> latenciesNs = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile String firstError;
        double seconds;
        boolean timedOut;
    }

    static void postBatch(byte[] body, String contentType, BatchStats stats) {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> res = send("POST", "/api/v1/usage-events", ingestToken, contentType, body);
            long dt = System.nanoTime() - t0;
            stats.batches.incrementAndGet();
            if (res.statusCode() != 202) {
                stats.failedRequests.increment();
                if (stats.firstError == null) {
                    stats.firstError = res.statusCode() + ": " + res.body();
                }
                return;
            }
            String b = res.body();
            stats.accepted.add(num(ACCEPTED, b));
            stats.duplicates.add(num(DUPLICATES, b));
            if (!b.contains("\"rejected\":[]")) {
                stats.rejected.increment();
                if (stats.firstError == null) {
                    stats.firstError = b.length() > 500 ? b.substring(0, 500) : b;
                }
            }
            stats.latenciesNs.add(dt);
        } catch (IOException | InterruptedException e) {
            stats.failedRequests.increment();
            if (stats.firstError == null) {
                stats.firstError = e.toString();
            }
        }
    }

    /**
     * Sends {@code count} batches with {@code clients} threads; {@code batch.apply(i)} makes batch i
     * (in the sending thread). Stops taking new batches at the deadline.
     */
    static BatchStats runBatches(String label, int count, int clients, IntFunction<byte[]> batch, long deadlineSec,
            boolean progress) throws InterruptedException {
        BatchStats stats = new BatchStats();
        AtomicInteger next = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSec);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        AtomicLong lastReport = new AtomicLong(t0);
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    if (System.nanoTime() > deadline) {
                        stats.timedOut = true;
                        return;
                    }
                    postBatch(batch.apply(i), "application/x-ndjson", stats);
                    if (stats.failedRequests.sum() > 20) {
                        return;
                    }
                    long now = System.nanoTime();
                    long last = lastReport.get();
                    if (progress && now - last > TimeUnit.SECONDS.toNanos(30) && lastReport.compareAndSet(last, now)) {
                        double s = (now - t0) / 1e9;
                        log(String.format(Locale.ROOT, "  %s: %,d / %,d batches, %,d events accepted, %.0f s, %,.0f events/s",
                                label, stats.batches.get(), count, stats.accepted.sum(), s, stats.accepted.sum() / s));
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        stats.seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        return stats;
    }

    // ---------------------------------------------------------------- statistics

    static double pct(List<Long> ns, double p) {
        if (ns.isEmpty()) {
            return Double.NaN;
        }
        long[] a = ns.stream().mapToLong(Long::longValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * a.length);
        return a[Math.max(0, Math.min(a.length - 1, rank - 1))] / 1e6;
    }

    static double mean(List<Long> ns) {
        return ns.stream().mapToLong(Long::longValue).average().orElse(Double.NaN) / 1e6;
    }

    static String f0(double d) {
        return String.format(Locale.ROOT, "%,.0f", d);
    }

    static String f1(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    static String f2(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    static void log(String s) {
        System.err.println(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + s);
    }

    // ---------------------------------------------------------------- JDBC

    static Connection db() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, dbUser, System.getenv().getOrDefault("PGPASSWORD", ""));
    }

    static String scalar(String sql) throws SQLException {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Starts a measured write phase from the same point: no checkpoint due, so no burst of full-page writes. */
    static void checkpoint() {
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            log("CHECKPOINT failed (" + e.getMessage().trim() + "); measuring without it");
        }
    }

    /** Makes the service's retention job due, waits for it to finish, and measures the bytes per event again. */
    static void retentionJob(Map<String, String> sizes, long rawRows) throws Exception {
        String dueAt = scalar("select now()::text");
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("insert into cluster_job (name) values ('retention')"
                    + " on conflict (name) do update set next_run_at = now()");
        }
        long jobStart = System.nanoTime();
        while (!"t".equals(scalar("select coalesce(bool_or(last_finished_at > '" + dueAt + "'::timestamptz), false)"
                + " from cluster_job where name = 'retention'"))) {
            if (System.nanoTime() - jobStart > 600_000_000_000L) {
                throw new IllegalStateException("the retention job did not run within 10 minutes");
            }
            Thread.sleep(200);
        }
        double jobSeconds = (System.nanoTime() - jobStart) / 1e9;
        double rawAfter = Double.parseDouble(scalar("select " + totalSize("usage_event")))
                + Double.parseDouble(scalar("select coalesce(pg_total_relation_size(to_regclass('usage_kind')), 0)"));
        sizes.put("bytes per raw usage event after the retention job (usage_event with its index, and usage_kind)",
                f0(rawAfter / rawRows));
        sizes.put("bytes per raw usage event with its id after the retention job",
                f0((rawAfter + Double.parseDouble(scalar("select " + totalSize("usage_event_id")))) / rawRows));
        sizes.put("retention job (made due after the reads), seconds until it finished", f1(jobSeconds));
        log("f. after the retention job (" + f1(jobSeconds) + " s): " + f0(rawAfter / rawRows)
                + " bytes per raw usage event, " + sizes.get("bytes per raw usage event with its id after the retention job")
                + " with its id");
    }

    /** pg_total_relation_size of a table, or of all its partitions when it is partitioned. */
    static String totalSize(String table) {
        return "(select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c where c.oid = '" + table
                + "'::regclass or c.oid in (select inhrelid from pg_inherits where inhparent = '" + table
                + "'::regclass))";
    }

    static final String COPY_COLUMNS = "id_key, time, kind, session_id, figures";

    /**
     * The current transaction id (32 bits, as a row's xmin): the rows the API stores after it are those of the next
     * ingest (raw rows keep their id's hash, not its text, so a round's rows are found by the transactions that
     * wrote them rather than by their ids' prefix).
     */
    static long xid() throws SQLException {
        return Long.parseLong(scalar("select txid_current() % 4294967296"));
    }

    /** The rows the API stored after transaction {@code since}, as CSV chunks of {@code chunk} rows. */
    static List<String> exportCsv(long since, int chunk) throws SQLException, IOException {
        return exportQueryCsv("SELECT " + COPY_COLUMNS + " FROM usage_event WHERE xmin::text::bigint > " + since,
                chunk);
    }

    /** The usage_event_id rows the API stored after transaction {@code since}, as CSV chunks of {@code chunk} rows. */
    static List<String> exportIdCsv(long since, int chunk) throws SQLException, IOException {
        return exportQueryCsv("SELECT id FROM usage_event_id WHERE xmin::text::bigint > "
                + since, chunk);
    }

    static List<String> exportQueryCsv(String query, int chunk) throws SQLException, IOException {
        StringWriter w = new StringWriter();
        try (Connection c = db()) {
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            cm.copyOut("COPY (" + query + ") TO STDOUT WITH (FORMAT csv)", w);
        }
        List<String> chunks = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (String line : w.toString().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            sb.append(line).append('\n');
            if (++n == chunk) {
                chunks.add(sb.toString());
                sb.setLength(0);
                n = 0;
            }
        }
        if (n > 0) {
            chunks.add(sb.toString());
        }
        return chunks;
    }

    /**
     * The rows the API stored after transaction {@code since} (raw rows, or with {@code ids} their id rows), in
     * PostgreSQL's binary COPY format, cut into chunks of {@code chunk} rows, each with the format's header and trailer
     * (the framing only is read: a row is a field count and per field a length and its bytes).
     */
    static List<byte[]> exportBinary(long since, int chunk, boolean ids) throws SQLException, IOException {
        String query = ids
                ? "SELECT id FROM usage_event_id WHERE xmin::text::bigint > " + since
                : "SELECT " + COPY_COLUMNS + " FROM usage_event WHERE xmin::text::bigint > " + since;
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        try (Connection c = db()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + query + ") TO STDOUT WITH (FORMAT binary)", all);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all.toByteArray());
        b.position(11 + 4);
        b.position(b.position() + 4 + b.getInt(15)); // header extension
        byte[] header = java.util.Arrays.copyOf(all.toByteArray(), b.position());
        List<byte[]> chunks = new ArrayList<>();
        java.io.ByteArrayOutputStream cur = new java.io.ByteArrayOutputStream();
        int n = 0;
        while (true) {
            int start = b.position();
            short fields = b.getShort();
            if (fields == -1) {
                break;
            }
            for (int f = 0; f < fields; f++) {
                int len = b.getInt();
                if (len > 0) {
                    b.position(b.position() + len);
                }
            }
            if (n == 0) {
                cur.write(header);
            }
            cur.write(b.array(), start, b.position() - start);
            if (++n == chunk) {
                cur.write(new byte[] {(byte) 0xff, (byte) 0xff});
                chunks.add(cur.toByteArray());
                cur.reset();
                n = 0;
            }
        }
        if (n > 0) {
            cur.write(new byte[] {(byte) 0xff, (byte) 0xff});
            chunks.add(cur.toByteArray());
        }
        return chunks;
    }

    /** CSV chunks as bytes, for {@link #copyChunks}. */
    static List<byte[]> bytes(List<String> chunks) {
        return chunks.stream().map(x -> x.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    /** COPYs the chunks into {@code table} over {@code clients} connections, one COPY (and commit) per chunk. */
    static Map<String, Object> lastCopyCpu;

    static double[] copyChunks(String table, List<String> chunks, List<String> idChunks, int clients)
            throws Exception {
        return copyChunks(table, bytes(chunks), bytes(idChunks), clients, "csv");
    }

    static double[] copyChunks(String table, List<byte[]> chunks, List<byte[]> idChunks, int clients, String format)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger next = new AtomicInteger();
        LongAdder rows = new LongAdder();
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            conns.add(db());
        }
        Cpu c0 = cpu();
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (Connection c : conns) {
            fs.add(pool.submit(() -> {
                CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
                c.setAutoCommit(false);
                int i;
                while ((i = next.getAndIncrement()) < chunks.size()) {
                    // the rows and their ids in one transaction, as the service writes a batch
                    rows.add(cm.copyIn("COPY " + table + " (" + COPY_COLUMNS + ") FROM STDIN WITH (FORMAT " + format
                            + ")", new java.io.ByteArrayInputStream(chunks.get(i))));
                    cm.copyIn("COPY " + table + "_ids FROM STDIN WITH (FORMAT " + format + ")",
                            new java.io.ByteArrayInputStream(idChunks.get(i)));
                    c.commit();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get(15, TimeUnit.MINUTES);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        lastCopyCpu = cpuUse(c0, cpu());
        pool.shutdown();
        for (Connection c : conns) {
            c.close();
        }
        return new double[] {rows.sum(), s};
    }

    // ---------------------------------------------------------------- CPU and wait sampling (diagnostics)

    static long servicePid;
    static int clkTck = 100;

    /** CPU clock ticks used so far by the service JVM, the bench's PostgreSQL, this client, and the whole machine. */
    record Cpu(long service, long postgres, long client, long machine, long wallNs) {
    }

    static long postmasterPid;

    static long ticks(Path stat) {
        try {
            String st = Files.readString(stat);
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long parentPid(String pid) {
        try {
            String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(st.substring(st.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Busy ticks of all cores (user, nice, system, irq, softirq, steal) from /proc/stat. */
    static long machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static Cpu cpu() {
        long pg = 0;
        if (postmasterPid > 0) {
            pg += ticks(Path.of("/proc/" + postmasterPid + "/stat"));
            try (var dirs = Files.list(Path.of("/proc"))) {
                for (Path d : (Iterable<Path>) dirs::iterator) {
                    String n = d.getFileName().toString();
                    if (n.chars().allMatch(Character::isDigit) && parentPid(n) == postmasterPid) {
                        pg += ticks(d.resolve("stat"));
                    }
                }
            } catch (IOException e) {
                // not Linux
            }
        }
        return new Cpu(servicePid > 0 ? ticks(Path.of("/proc/" + servicePid + "/stat")) : 0, pg,
                ticks(Path.of("/proc/self/stat")), machineTicks(), System.nanoTime());
    }

    /** CPU seconds of each party between two readings, and their share of all cores' time. */
    static Map<String, Object> cpuUse(Cpu a, Cpu b) {
        double wall = (b.wallNs() - a.wallNs()) / 1e9;
        double cores = Runtime.getRuntime().availableProcessors();
        double svc = (b.service() - a.service()) / (double) clkTck;
        double pg = (b.postgres() - a.postgres()) / (double) clkTck;
        double cl = (b.client() - a.client()) / (double) clkTck;
        double all = (b.machine() - a.machine()) / (double) clkTck;
        double other = Math.max(0, all - svc - pg - cl);
        return m("wallSeconds", wall, "serviceCpuSeconds", svc, "postgresCpuSeconds", pg, "clientCpuSeconds", cl,
                "otherCpuSeconds", other, "servicePct", 100 * svc / (wall * cores), "postgresPct", 100 * pg / (wall * cores),
                "clientPct", 100 * cl / (wall * cores), "otherPct", 100 * other / (wall * cores),
                "idlePct", Math.max(0, 100 * (1 - all / (wall * cores))));
    }

    static String cpuText(Map<String, Object> c) {
        double other = d0(c.get("otherPct"));
        return "service JVM " + f0(d0(c.get("servicePct"))) + " %, PostgreSQL " + f0(d0(c.get("postgresPct")))
                + " %, bench client " + f0(d0(c.get("clientPct"))) + " %, other processes " + f0(other)
                + (other >= 10 ? " % (**busy machine: figures perturbed**)" : " %") + ", idle " + f0(d0(c.get("idlePct"))) + " %";
    }

    /** Samples what the database's active client backends wait on, every 50 ms, on its own connection. */
    static final class WaitSampler implements AutoCloseable {
        final Map<String, Long> counts = new java.util.TreeMap<>();
        long samples;
        long backendSamples;
        volatile boolean stop;
        final Thread thread;

        WaitSampler() {
            thread = new Thread(() -> {
                try (Connection c = db(); var ps = c.prepareStatement(
                        "select coalesce(wait_event_type || ':' || wait_event, 'on CPU') from pg_stat_activity "
                        + "where datname = current_database() and backend_type = 'client backend' "
                        + "and state = 'active' and pid <> pg_backend_pid()")) {
                    while (!stop) {
                        try (ResultSet rs = ps.executeQuery()) {
                            synchronized (counts) {
                                samples++;
                                while (rs.next()) {
                                    backendSamples++;
                                    counts.merge(rs.getString(1), 1L, Long::sum);
                                }
                            }
                        }
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    // diagnostics only
                }
            }, "wait-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** "X: n %" for the most frequent waits, as shares of all active-backend samples. */
        Map<String, Object> result() {
            synchronized (counts) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("samples", samples);
                out.put("meanActiveBackends", samples == 0 ? 0.0 : backendSamples / (double) samples);
                counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                        .forEach(e -> out.put(e.getKey(), 100.0 * e.getValue() / Math.max(1, backendSamples)));
                return out;
            }
        }

        static String text(Map<String, Object> w) {
            StringBuilder sb = new StringBuilder("mean active backends " + f1(d0(w.get("meanActiveBackends"))) + "; ");
            w.forEach((k, v) -> {
                if (!k.equals("samples") && !k.equals("meanActiveBackends")) {
                    sb.append(k).append(' ').append(f0(d0(v))).append(" %, ");
                }
            });
            return sb.substring(0, sb.length() - 2);
        }
    }

    // ---------------------------------------------------------------- main

    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            OPTS.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        base = opt("base", "http://127.0.0.1:8080");
        if (!URI.create(base).getHost().equals("127.0.0.1") && !URI.create(base).getHost().equals("localhost")) {
            throw new IllegalArgumentException("the bench only talks to 127.0.0.1");
        }
        adminToken = opt("admin-token", System.getenv("YARDSTICK_ADMIN_TOKEN"));
        jdbcUrl = opt("jdbc", "jdbc:postgresql://127.0.0.1:5432/yardstick_bench");
        dbUser = opt("db-user", "postgres");
        Path out = Path.of(opt("out", "bench/results"));
        int clients = intOpt("clients", 4);
        int batchSize = intOpt("batch", 1000);
        int warmupEvents = intOpt("warmup-events", 100_000);
        int maxWarmupEvents = intOpt("max-warmup-events", 800_000);
        int rounds = Math.max(1, intOpt("rounds", 3));
        int events = intOpt("events", 200_000);
        int singleWarmup = intOpt("single-warmup", 3000);
        int single = intOpt("single", 2_000);
        int summaryEvents = intOpt("summary-events", 5_000_000);
        int summaryMembers = intOpt("summary-members", 100);
        int readWarmup = intOpt("read-warmup", 10);
        int reads = intOpt("reads", 50);
        int loadDeadline = intOpt("load-deadline-seconds", 900);
        // --ingest-only true: warm-up and the ingest rounds only (no COPY, no c/d/e); prints the rounds' rates.
        boolean ingestOnly = Boolean.parseBoolean(opt("ingest-only", "false"));
        // Event times are uniform over this many seconds before now (604800: a week, the ingest
        // benchmark's; 60: a live stream, as agents report as they go).
        long spanSeconds = Long.parseLong(opt("span-seconds", "604800"));
        int summaryDays = intOpt("summary-days", 364);
        String stamp = opt("stamp", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(out);
        servicePid = Long.parseLong(opt("service-pid", "0"));
        clkTck = intOpt("clk-tck", 100);
        try (Connection c = db(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            postmasterPid = parentPid(rs.getString(1)); // -1 when PostgreSQL is not on this machine's /proc
        }

        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        Map<String, Object> r = new LinkedHashMap<>();
        long runStart = System.nanoTime();

        // ---- setup: teams, members, ingest token
        log("setup: teams, members, ingest token");
        String[][] teams = {{"bench-platform", "Europe/Berlin"}, {"bench-web", "America/New_York"},
            {"bench-data", "UTC"}, {"bench-summary", "Europe/Berlin"}};
        for (String[] t : teams) {
            adminJson("PUT", "/api/v1/teams/" + t[0], "{\"name\":\"" + t[0] + "\",\"weeklyBudgetUsd\":5000,\"timezone\":\""
                    + t[1] + "\"}", 201, 200);
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Person[] people = new Person[50];
        for (int i = 0; i < people.length; i++) {
            String email = String.format(Locale.ROOT, "dev%02d@bench.example.com", i);
            people[i] = Person.random(email, rnd);
            adminJson("PUT", "/api/v1/members/" + email, "{\"displayName\":\"Dev " + i + "\",\"team\":\""
                    + teams[i % 3][0] + "\"}", 201, 200);
        }
        Person[] summaryPeople = new Person[summaryMembers];
        for (int i = 0; i < summaryPeople.length; i++) {
            String email = String.format(Locale.ROOT, "eng%03d@bench.example.com", i);
            summaryPeople[i] = Person.random(email, rnd);
            adminJson("PUT", "/api/v1/members/" + email, "{\"displayName\":\"Eng " + i
                    + "\",\"team\":\"bench-summary\"}", 201, 200);
        }
        String tokenBody = adminJson("POST", "/api/v1/ingest-tokens", "{\"name\":\"bench\"}", 201);
        Matcher tm = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(tokenBody);
        if (!tm.find()) {
            throw new IllegalStateException("no token in " + tokenBody);
        }
        ingestToken = tm.group(1);

        // ---- a. ingest throughput and b. the COPY reference, in rounds (a, b, a, b, ...) so that a
        // passing disturbance on a shared machine shows up as one odd round, not as the result.
        long now = System.currentTimeMillis();
        long week = spanSeconds;
        int warmupBatches = Math.max(1, warmupEvents / batchSize);
        int batches = Math.max(1, events / batchSize);
        // Warm-up: on 2 cores the service's JIT needs several hundred thousand events before its
        // throughput levels off, so the warm-up is long; it runs in steps of warmupEvents, up to
        // maxWarmupEvents, and the steps' rates are reported so that the plateau can be seen.
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS usage_event_copy");
            s.execute("CREATE TABLE usage_event_copy (LIKE usage_event INCLUDING ALL)");
            // usage_event is partitioned by day; an id's uniqueness lives in usage_event_id (one uuid: the month it
            // was received, its day, 96 bits of its MD5). The reference loads the same rows into both, as the
            // service does.
            s.execute("DROP TABLE IF EXISTS usage_event_copy_ids");
            s.execute("CREATE TABLE usage_event_copy_ids (LIKE usage_event_id INCLUDING ALL)");
            // usage_event_id's unique index is each month partition's own (V31), not the parent's: the same here
            s.execute("CREATE UNIQUE INDEX ON usage_event_copy_ids ((substring(uuid_send(id) from 5)))");
            s.execute("DROP TABLE IF EXISTS usage_event_copy_binary");
            s.execute("CREATE TABLE usage_event_copy_binary (LIKE usage_event INCLUDING ALL)");
            s.execute("DROP TABLE IF EXISTS usage_event_copy_binary_ids");
            s.execute("CREATE TABLE usage_event_copy_binary_ids (LIKE usage_event_id INCLUDING ALL)");
            s.execute("CREATE UNIQUE INDEX ON usage_event_copy_binary_ids ((substring(uuid_send(id) from 5)))");
            s.execute("DROP TABLE IF EXISTS usage_event_copy_bulk");
            s.execute("CREATE TABLE usage_event_copy_bulk (LIKE usage_event INCLUDING ALL)");
            s.execute("DROP TABLE IF EXISTS usage_event_copy_bulk_ids");
            s.execute("CREATE TABLE usage_event_copy_bulk_ids (LIKE usage_event_id INCLUDING ALL)");
            s.execute("CREATE UNIQUE INDEX ON usage_event_copy_bulk_ids ((substring(uuid_send(id) from 5)))");
        }
        List<Double> warmRates = new ArrayList<>();
        long warmedEvents = 0;
        for (int step = 1; ; step++) {
            byte[][] warm = new byte[warmupBatches][];
            for (int i = 0; i < warm.length; i++) {
                warm[i] = ndjsonBatch("w" + step + "-", people, batchSize, System.currentTimeMillis(), week, null);
            }
            long warmXid = xid();
            BatchStats w = runBatches("warm-up", warmupBatches, clients, i -> warm[i], 600, false);
            check("ingest warm-up", w, warmupBatches * (long) batchSize);
            warmedEvents += w.accepted.sum();
            double rate = w.accepted.sum() / w.seconds;
            warmRates.add(rate);
            log("a. warm-up step " + step + ": " + f0(rate) + " events/s");
            // The copy tables get the same rows, so that every measured round starts from tables of the same size.
            if (!ingestOnly) {
                List<String> warmChunks = exportCsv(warmXid, batchSize);
                List<String> warmIds = exportIdCsv(warmXid, batchSize);
                copyChunks("usage_event_copy", warmChunks, warmIds, clients);
                copyChunks("usage_event_copy_bulk", warmChunks, warmIds, clients);
                copyChunks("usage_event_copy_binary", warmChunks, warmIds, clients);
            }
            if (warmedEvents + warmupBatches * (long) batchSize > maxWarmupEvents) {
                break;
            }
        }
        r.put("warmup", m("events", warmedEvents, "stepEvents", warmupBatches * (long) batchSize,
                "stepEventsPerSecond", warmRates));
        log("a. warm-up done: " + f0(warmedEvents) + " events; the copy tables hold the same rows");

        List<Map<String, Object>> roundResults = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String prefix = "t" + round + "-";
            byte[][] measured = new byte[batches][];
            long bytes = 0;
            for (int i = 0; i < measured.length; i++) {
                measured[i] = ndjsonBatch(prefix, people, batchSize, System.currentTimeMillis(), week, null);
                bytes += measured[i].length;
            }
            log("a. round " + round + "/" + rounds + ": ingest " + batches + " batches of " + batchSize + " with "
                    + clients + " clients");
            checkpoint();
            long roundXid = xid();
            Cpu ca = cpu();
            BatchStats ing;
            Map<String, Object> ingestWaits;
            try (WaitSampler ws = new WaitSampler()) {
                ing = runBatches("ingest", batches, clients, i -> measured[i], 600, true);
                ws.close(); // stop sampling before reading the counts; close() again is harmless
                ingestWaits = ws.result();
            }
            Map<String, Object> ingestCpu = cpuUse(ca, cpu());
            check("ingest", ing, batches * (long) batchSize);
            double ingestRate = ing.accepted.sum() / ing.seconds;
            log("a. round " + round + ": " + f0(ingestRate) + " events/s; CPU: " + cpuText(ingestCpu)
                    + "; PostgreSQL waits: " + WaitSampler.text(ingestWaits));
            if (ingestOnly) {
                roundResults.add(m("round", round, "ingest", m("events", ing.accepted.sum(), "seconds", ing.seconds,
                        "eventsPerSecond", ingestRate, "batchP50Ms", pct(ing.latenciesNs, 50),
                        "batchP99Ms", pct(ing.latenciesNs, 99), "cpu", ingestCpu)));
                continue;
            }

            // b. the very rows the API stored, into a table like usage_event
            List<String> chunks = exportCsv(roundXid, batchSize);
            List<String> idChunks = exportIdCsv(roundXid, batchSize);
            checkpoint();
            double[] cp = copyChunks("usage_event_copy", chunks, idChunks, clients);
            double copyRate = cp[0] / cp[1];
            Map<String, Object> copyCpu = lastCopyCpu;
            // Also one COPY per connection (rows / clients each): PostgreSQL's best case.
            List<String> bulk = new ArrayList<>();
            List<String> bulkIds = new ArrayList<>();
            int per = (chunks.size() + clients - 1) / clients;
            for (int i = 0; i < chunks.size(); i += per) {
                bulk.add(String.join("", chunks.subList(i, Math.min(chunks.size(), i + per))));
                bulkIds.add(String.join("", idChunks.subList(i, Math.min(idChunks.size(), i + per))));
            }
            checkpoint();
            double[] cpb = copyChunks("usage_event_copy_bulk", bulk, bulkIds, clients);
            double bulkRate = cpb[0] / cpb[1];
            // And the same 1,000-row COPYs in PostgreSQL's binary format, which the service sends.
            List<byte[]> binChunks = exportBinary(roundXid, batchSize, false);
            List<byte[]> binIds = exportBinary(roundXid, batchSize, true);
            checkpoint();
            double[] cpbin = copyChunks("usage_event_copy_binary", binChunks, binIds, clients, "binary");
            double binaryRate = cpbin[0] / cpbin[1];
            log("b. round " + round + ": COPY " + f0(copyRate) + " rows/s (1,000-row COPYs), " + f0(bulkRate)
                    + " rows/s (one COPY per connection); ratio " + f2(ingestRate / copyRate) + "; CPU: " + cpuText(copyCpu));
            roundResults.add(m("round", round, "ingest", m("events", ing.accepted.sum(), "seconds", ing.seconds,
                    "eventsPerSecond", ingestRate, "batchP50Ms", pct(ing.latenciesNs, 50),
                    "batchP99Ms", pct(ing.latenciesNs, 99),
                    "bodyBytesPerEvent", bytes / (double) (batches * (long) batchSize), "cpu", ingestCpu,
                    "postgresWaits", ingestWaits),
                    "copy", m("rows", (long) cp[0], "seconds", cp[1], "rowsPerSecond", copyRate,
                    "bulkRows", (long) cpb[0], "bulkSeconds", cpb[1], "bulkRowsPerSecond", bulkRate,
                    "ratio", ingestRate / copyRate, "ratioBulk", ingestRate / bulkRate,
                    "binaryRows", (long) cpbin[0], "binaryRowsPerSecond", binaryRate,
                    "ratioBinary", ingestRate / binaryRate, "cpu", copyCpu)));
        }
        r.put("rounds", roundResults);
        if (ingestOnly) {
            StringBuilder line = new StringBuilder("ingest");
            for (Map<String, Object> x : roundResults) {
                line.append(' ').append(f0(d(x, "ingest", "eventsPerSecond"))).append(':')
                        .append(f2(d(x, "ingest", "batchP50Ms"))).append(':').append(f2(d(x, "ingest", "batchP99Ms")))
                        .append(':').append(cpuText((Map<String, Object>) ((Map<String, Object>) x.get("ingest")).get("cpu")).replace(' ', '_'));
            }
            System.out.println(line);
            return;
        }
        // The round with the median ratio stands for the run; all rounds are listed.
        List<Map<String, Object>> byRatio = new ArrayList<>(roundResults);
        byRatio.sort(java.util.Comparator.comparingDouble(x -> d(x, "copy", "ratio")));
        Map<String, Object> median = byRatio.get(byRatio.size() / 2);
        r.put("medianRound", median.get("round"));
        r.put("ingest", median.get("ingest"));
        r.put("copy", median.get("copy"));

        // ---- c. single-event POSTs, sequential
        log("c. single-event POSTs: " + singleWarmup + " warm-up + " + single);
        BatchStats sw = new BatchStats();
        BatchStats ss = new BatchStats();
        long singleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        Cpu cs0 = null;
        for (int i = 0; i < singleWarmup + single && System.nanoTime() < singleDeadline; i++) {
            if (i == singleWarmup) {
                cs0 = cpu();
            }
            StringBuilder sb = new StringBuilder(400);
            ThreadLocalRandom tr = ThreadLocalRandom.current();
            event(sb, "e-", people[tr.nextInt(people.length)], System.currentTimeMillis(), 3600, tr, null);
            postBatch(sb.toString().getBytes(StandardCharsets.UTF_8), "application/json", i < singleWarmup ? sw : ss);
        }
        Map<String, Object> singleCpu = cpuUse(cs0 == null ? cpu() : cs0, cpu());
        check("single-event", ss, single);
        log("c. single: p50 " + f2(pct(ss.latenciesNs, 50)) + " ms, p99 " + f2(pct(ss.latenciesNs, 99)) + " ms");
        r.put("single", m("requests", ss.latenciesNs.size(), "p50Ms", pct(ss.latenciesNs, 50),
                "p99Ms", pct(ss.latenciesNs, 99), "meanMs", mean(ss.latenciesNs), "maxMs", pct(ss.latenciesNs, 100),
                "cpu", singleCpu));

        // ---- d. 12 months for a 100-member team, through the ingest API
        int loadBatches = (summaryEvents + batchSize - 1) / batchSize;
        log("d. loading " + f0(loadBatches * (double) batchSize) + " events over 12 months for bench-summary ("
                + summaryMembers + " members)");
        Sent sent = new Sent();
        long loadNow = System.currentTimeMillis();
        Cpu cl0 = cpu();
        BatchStats load = runBatches("12-month load", loadBatches, clients,
                i -> ndjsonBatch("s-", summaryPeople, batchSize, loadNow, summaryDays * 86_400L, sent), loadDeadline, true);
        Map<String, Object> loadCpu = cpuUse(cl0, cpu());
        check("12-month load", load, load.timedOut ? load.accepted.sum() : loadBatches * (long) batchSize);
        double loadRate = load.accepted.sum() / load.seconds;
        log("d. load: " + f0(load.accepted.sum()) + " events in " + f0(load.seconds) + " s (" + f0(loadRate) + " events/s)"
                + (load.timedOut ? " -- STOPPED AT THE DEADLINE" : ""));
        r.put("load", m("events", load.accepted.sum(), "seconds", load.seconds, "eventsPerSecond", loadRate,
                "timedOut", load.timedOut, "batchP50Ms", pct(load.latenciesNs, 50), "batchP99Ms", pct(load.latenciesNs, 99),
                "cpu", loadCpu));
        log("d. CPU: " + cpuText(loadCpu));

        Map<String, String> sizes = new LinkedHashMap<>();
        for (String table : new String[] {"usage_event", "usage_daily", "usage_team_daily", "team_member_day"}) {
            if (scalar("select to_regclass('" + table + "')") == null) {
                continue;
            }
            sizes.put(table + " rows (of bench-summary)", f0(Double.parseDouble(scalar("select count(*) from " + table)))
                    + " (" + f0(Double.parseDouble(scalar("select count(*) from "
                    + (table.equals("usage_event") ? "usage_event_named" : table)
                    + " where team_key = 'bench-summary'"))) + ")");
            sizes.put(table + " size", scalar("select pg_size_pretty(" + totalSize(table) + ")"));
        }
        sizes.put("usage_event_id size", scalar("select pg_size_pretty(" + totalSize("usage_event_id") + ")"));
        long rawRows = Long.parseLong(scalar("select count(*) from usage_event"));
        // the raw rows, their index and the kinds they name (usage_kind, a few rows a person), then with their ids
        double raw = Double.parseDouble(scalar("select " + totalSize("usage_event")))
                + Double.parseDouble(scalar("select coalesce(pg_total_relation_size(to_regclass('usage_kind')), 0)"));
        sizes.put("bytes per raw usage event (usage_event with its index, and usage_kind)", f0(raw / rawRows));
        sizes.put("bytes per raw usage event with its id (usage_event + usage_kind + usage_event_id)",
                f0((raw + Double.parseDouble(scalar("select " + totalSize("usage_event_id")))) / rawRows));
        sizes.put("database size", scalar("select pg_size_pretty(pg_database_size(current_database()))"));
        r.put("sizes", sizes);

        // ---- e. summary reads: as loaded, then after VACUUM ANALYZE of the rollup tables
        LocalDate today = LocalDate.now(SUMMARY_ZONE);
        String[][] ranges = {{"12 months", today.minusMonths(12).toString()}, {"1 month", today.minusMonths(1).toString()},
            {"1 week", today.minusDays(6).toString()}};
        StringBuilder plans = new StringBuilder();
        String autovacuum = scalar("select current_setting('autovacuum')");
        String analyzed = scalar("select coalesce(max(greatest(last_analyze, last_autoanalyze))::text, 'never') "
                + "from pg_stat_user_tables where relname in ('usage_daily', 'usage_team_daily', 'team_member_day')");
        log("e. summary reads as loaded (rollups last analyzed: " + analyzed + "; autovacuum=" + autovacuum + ")");
        String[] yearBody = new String[1];
        r.put("summaryAsLoaded", readSummaries(ranges, today, readWarmup, reads, yearBody, "as loaded"));
        explain(plans, "as loaded (rollups last analyzed: " + analyzed + ", autovacuum=" + autovacuum + ")",
                ranges[0][1], today);
        long tv = System.nanoTime();
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("VACUUM (ANALYZE) " + rollupTables());
        }
        double vacuumSeconds = (System.nanoTime() - tv) / 1e9;
        log("e. VACUUM (ANALYZE) " + rollupTables() + ": " + f1(vacuumSeconds) + " s");
        Cpu cr0 = cpu();
        r.put("summary", readSummaries(ranges, today, readWarmup, reads, null, "after VACUUM ANALYZE"));
        r.put("summaryCpu", cpuUse(cr0, cpu()));
        r.put("vacuumAnalyzeSeconds", vacuumSeconds);
        r.put("autovacuum", autovacuum);
        explain(plans, "after VACUUM (ANALYZE) " + rollupTables(), ranges[0][1], today);
        r.put("vacuumTables", rollupTables());
        Files.writeString(out.resolve(stamp + "-explain.txt"), plans.toString());

        // The 12-month summary must account for every event of the load.
        long gotInput = num(Pattern.compile("\"tokens\"\\s*:\\s*\\{\\s*\"input\"\\s*:\\s*(\\d+)"), yearBody[0]);
        long gotRequests = num(Pattern.compile("\"requests\"\\s*:\\s*(\\d+)"), yearBody[0]);
        long gotActive = num(Pattern.compile("\"activeMembers\"\\s*:\\s*(\\d+)"), yearBody[0]);
        boolean consistent = gotInput == sent.input.sum() && gotRequests == sent.requests.sum();
        r.put("summaryCheck", m("inputTokensSent", sent.input.sum(), "inputTokensInSummary", gotInput,
                "requestsSent", sent.requests.sum(), "requestsInSummary", gotRequests, "activeMembers", gotActive,
                "consistent", consistent));
        log("e. 12-month summary matches what was sent: " + consistent + " (active members " + gotActive + ")");

        // ---- f. the ledger as it stands most of the time: after the service's hourly retention job, made due now
        // (it rebuilds settled days' session indexes and closed months' id indexes, and compacts settled days);
        // --retention-job false leaves it to the caller (bench/scale.sh runs it after its WAL pass)
        if (Boolean.parseBoolean(opt("retention-job", "true"))) {
            retentionJob(sizes, rawRows);
        }

        // ---- machine
        Map<String, String> machine = new LinkedHashMap<>(extraMachine());
        machine.put("cpu model", procLine("/proc/cpuinfo", "model name"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("postgresql", scalar("select version()"));
        machine.put("postgresql settings", scalar("select string_agg(name || '=' || current_setting(name), ', ' order by name) "
                + "from pg_settings where name in ('shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size', "
                + "'work_mem', 'effective_cache_size', 'wal_level')"));
        r.put("machine", machine);
        double total = (System.nanoTime() - runStart) / 1e9;
        r.put("clientSeconds", total);

        String md = markdown(r, clients, batchSize, warmupEvents, singleWarmup, readWarmup, summaryMembers, stamp);
        Files.writeString(out.resolve(stamp + ".md"), md);
        Files.writeString(out.resolve(stamp + ".json"), json(r) + "\n");
        System.out.println(md);
        log("results: " + out.resolve(stamp + ".md") + " (" + f0(total) + " s)");
    }

    /** Times the summary of bench-summary over each range; keeps the first range's body in {@code firstBody[0]}. */
    static Map<String, Object> readSummaries(String[][] ranges, LocalDate today, int warmup, int reads, String[] firstBody,
            String label) throws IOException, InterruptedException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String[] range : ranges) {
            String path = "/api/v1/teams/bench-summary/summary?from=" + range[1] + "&to=" + today;
            List<Long> lat = new ArrayList<>();
            String body = null;
            long readDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (int i = 0; i < warmup + reads && System.nanoTime() < readDeadline; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> res = send("GET", path, adminToken, null, null);
                long dt = System.nanoTime() - t0;
                if (res.statusCode() != 200) {
                    throw new IllegalStateException("GET " + path + " -> " + res.statusCode() + ": " + res.body());
                }
                body = res.body();
                if (i >= warmup) {
                    lat.add(dt);
                }
            }
            if (firstBody != null && firstBody[0] == null) {
                firstBody[0] = body;
            }
            log("e. summary " + range[0] + " (" + label + "): p50 " + f1(pct(lat, 50)) + " ms, p99 " + f1(pct(lat, 99)) + " ms");
            out.put(range[0], m("from", range[1], "to", today.toString(), "reads", lat.size(),
                    "p50Ms", pct(lat, 50), "p99Ms", pct(lat, 99), "meanMs", mean(lat), "maxMs", pct(lat, 100)));
        }
        return out;
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of the summary's three statements (as in LedgerQueries) for one range. */
    static void explain(StringBuilder plans, String label, String from, LocalDate to) throws SQLException {
        // Keep in step with LedgerQueries.summary (the statements are copied, with the range inlined).
        String range = "team_key = 'bench-summary' and day between '" + from + "' and '" + to + "'";
        String[] qs = {
            "select tool, model, sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), "
                + "sum(cost_usd), sum(requests), sum(unpriced_events) from usage_team_daily_all where " + range
                + " group by tool, model",
            "select kind, sum(outcomes) from outcome_daily where " + range + " group by kind",
            "select count(distinct member_id) from team_member_day_all where " + range};
        plans.append("==== ").append(label).append(" ====\n\n");
        try (Connection c = db(); Statement s = c.createStatement()) {
            for (String q : qs) {
                plans.append("-- ").append(q).append('\n');
                explainInto(plans, s, "EXPLAIN (ANALYZE, BUFFERS) " + q);
            }
            // The service runs these as JDBC prepared statements: from the 6th execution on, PostgreSQL
            // may switch to a generic plan, estimated without the actual dates. Show those plans too.
            s.execute("SET plan_cache_mode = force_generic_plan");
            for (int i = 0; i < qs.length; i++) {
                String q = qs[i].replace("'bench-summary'", "$1").replace("'" + from + "'", "$2").replace("'" + to + "'", "$3");
                plans.append("-- statement ").append(i + 1).append(" prepared, with its generic plan (plan_cache_mode = force_generic_plan)\n");
                try {
                    s.execute("PREPARE summary_q" + i + "(text, date, date) AS " + q);
                } catch (SQLException e) {
                    plans.append("(").append(e.getMessage().trim()).append(")\n\n");
                    continue;
                }
                explainInto(plans, s, "EXPLAIN (ANALYZE, BUFFERS) EXECUTE summary_q" + i + "('bench-summary', '" + from
                        + "', '" + to + "')");
            }
        }
    }

    /** The rollup tables that exist: what summaries read. */
    static String rollupTables() throws SQLException {
        // the rollups, and what their readers join now: the kinds and the pending usage (V28, V29)
        return scalar("select string_agg(t, ', ' order by t) from unnest(array['usage_daily', 'usage_team_daily', "
                + "'team_member_day', 'outcome_daily', 'usage_kind', 'usage_pending']) t where to_regclass(t) is not null");
    }

    /** Appends the plan, or the error when the statement no longer fits the schema. */
    static void explainInto(StringBuilder plans, Statement s, String sql) {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                plans.append(rs.getString(1)).append('\n');
            }
        } catch (SQLException e) {
            plans.append("(").append(e.getMessage().trim()).append(": keep bench/src/IngestBench.java in step with LedgerQueries)\n");
        }
        plans.append('\n');
    }

    /** Machine facts passed in by run.sh as --machine.KEY VALUE. */
    static Map<String, String> extraMachine() {
        Map<String, String> m = new LinkedHashMap<>();
        OPTS.forEach((k, v) -> {
            if (k.startsWith("machine.")) {
                m.put(k.substring(8), v);
            }
        });
        return m;
    }

    static String procLine(String file, String key) {
        try {
            for (String l : Files.readAllLines(Path.of(file))) {
                if (l.startsWith(key)) {
                    return l.substring(l.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException e) {
            // not Linux: leave it out
        }
        return "?";
    }

    static void check(String label, BatchStats s, long expected) {
        if (s.failedRequests.sum() > 0 || s.rejected.sum() > 0 || s.accepted.sum() != expected) {
            throw new IllegalStateException(label + ": expected " + expected + " accepted, got " + s.accepted.sum()
                    + " (duplicates " + s.duplicates.sum() + ", failed requests " + s.failedRequests.sum()
                    + ", batches with rejections " + s.rejected.sum() + "); first error: " + s.firstError);
        }
    }

    @SuppressWarnings("unchecked")
    static double d(Map<String, Object> r, String a, String b) {
        return ((Number) ((Map<String, Object>) r.get(a)).get(b)).doubleValue();
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r, int clients, int batch, int warmupEvents, int singleWarmup,
            int readWarmup, int members, String stamp) {
        StringBuilder sb = new StringBuilder();
        double ratio = d(r, "copy", "ratio");
        sb.append("## Yardstick benchmark ").append(stamp).append(" (UTC)\n\n");
        sb.append("| Measurement | Result | Floor | Verdict |\n|---|---|---|---|\n");
        sb.append("| a. Ingest API: ").append(clients).append(" clients, ").append(f0(batch)).append("-event NDJSON batches, ")
                .append(f0(d(r, "ingest", "events"))).append(" events after ").append(f0(d(r, "warmup", "events")))
                .append(" warm-up | **")
                .append(f0(d(r, "ingest", "eventsPerSecond"))).append(" events/s** (batch p50 ")
                .append(f0(d(r, "ingest", "batchP50Ms"))).append(" ms, p99 ").append(f0(d(r, "ingest", "batchP99Ms")))
                .append(" ms) | | |\n");
        sb.append("| b. PostgreSQL COPY of the same rows into `usage_event_copy`: ").append(clients).append(" connections, ")
                .append(f0(batch)).append("-row COPYs | **").append(f0(d(r, "copy", "rowsPerSecond"))).append(" rows/s** | | |\n");
        // issue 23's floor (0.25x before it)
        sb.append("| a ÷ b | **").append(f2(ratio)).append("×** | ≥ 0.5× | ")
                .append(ratio >= 0.5 ? "pass" : "**MISS**").append(" |\n");
        sb.append("| b′. COPY, one COPY per connection | ").append(f0(d(r, "copy", "bulkRowsPerSecond")))
                .append(" rows/s (a ÷ b′ = ").append(f2(d(r, "copy", "ratioBulk"))).append("×) | | |\n");
        sb.append("| b″. COPY in binary format, 1,000-row COPYs (as the service sends them) | ")
                .append(f0(d(r, "copy", "binaryRowsPerSecond"))).append(" rows/s (a ÷ b″ = ")
                .append(f2(d(r, "copy", "ratioBinary"))).append("×) | | |\n");
        sb.append("| c. Single-event POST, sequential, 1 client, ").append(f0(d(r, "single", "requests")))
                .append(" after ").append(singleWarmup).append(" warm-up | p50 **").append(f2(d(r, "single", "p50Ms")))
                .append(" ms**, p99 **").append(f2(d(r, "single", "p99Ms"))).append(" ms** | | |\n");
        Map<String, Object> load = (Map<String, Object>) r.get("load");
        sb.append("| d. Load of the ").append(members).append("-member team, 12 months, through the ingest API (").append(clients)
                .append(" clients) | ").append(f0(d(r, "load", "events"))).append(" events in **")
                .append(f0(d(r, "load", "seconds"))).append(" s** (").append(f0(d(r, "load", "eventsPerSecond")))
                .append(" events/s)").append(Boolean.TRUE.equals(load.get("timedOut")) ? " STOPPED AT DEADLINE" : "")
                .append(" | | |\n");
        summaryRows(sb, (Map<String, Object>) r.get("summary"), "", readWarmup);
        summaryRows(sb, (Map<String, Object>) r.get("summaryAsLoaded"), ", as loaded (no statistics)", readWarmup);
        Map<String, Object> chk = (Map<String, Object>) r.get("summaryCheck");
        List<Map<String, Object>> rs = (List<Map<String, Object>>) r.get("rounds");
        sb.append("\nWarm-up: ").append(f0(d(r, "warmup", "events"))).append(" events in steps of ")
                .append(f0(d(r, "warmup", "stepEvents"))).append(" (")
                .append(String.join(", ", ((List<Double>) ((Map<String, Object>) r.get("warmup")).get("stepEventsPerSecond"))
                        .stream().map(IngestBench::f0).toList()))
                .append(" events/s); the copy tables got the same rows. Then a and b ran in ").append(rs.size())
                .append(" rounds (a, b, a, b, ...), each after a CHECKPOINT; the table shows round ")
                .append(r.get("medianRound")).append(", the one with the median ratio.\n\n");
        sb.append("| Round | a. ingest events/s | batch p50 / p99 ms | b. COPY rows/s | a ÷ b | b′. one COPY per connection, rows/s | b″. binary COPY rows/s | a ÷ b″ | other processes' CPU during a / b |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> x : rs) {
            sb.append("| ").append(x.get("round")).append(" | ").append(f0(d(x, "ingest", "eventsPerSecond"))).append(" | ")
                    .append(f0(d(x, "ingest", "batchP50Ms"))).append(" / ").append(f0(d(x, "ingest", "batchP99Ms"))).append(" | ")
                    .append(f0(d(x, "copy", "rowsPerSecond"))).append(" | ").append(f2(d(x, "copy", "ratio"))).append("× | ")
                    .append(f0(d(x, "copy", "bulkRowsPerSecond"))).append(" | ")
                    .append(f0(d(x, "copy", "binaryRowsPerSecond"))).append(" | ")
                    .append(f2(d(x, "copy", "ratioBinary"))).append("× | ")
                    .append(f0(d0(((Map<String, Object>) ((Map<String, Object>) x.get("ingest")).get("cpu")).get("otherPct"))))
                    .append(" % / ")
                    .append(f0(d0(((Map<String, Object>) ((Map<String, Object>) x.get("copy")).get("cpu")).get("otherPct"))))
                    .append(" % |\n");
        }
        sb.append("\nSummary reads are timed after `VACUUM (ANALYZE) ").append(r.get("vacuumTables")).append("` (")
                .append(f1(d0(r.get("vacuumAnalyzeSeconds")))).append(" s), since autovacuum is `").append(r.get("autovacuum"))
                .append("` on this server; the rows marked \"as loaded\" were timed before it. ")
                .append("The 12-month summary matches the events sent (input tokens, requests): **")
                .append(chk.get("consistent")).append("**; active members: ").append(chk.get("activeMembers")).append(".\n\n");
        sb.append("| Where the CPU went (").append(Runtime.getRuntime().availableProcessors())
                .append(" cores = 100 %) | |\n|---|---|\n");
        sb.append("| a. ingest (round ").append(r.get("medianRound")).append(") | ").append(cpuText((Map<String, Object>) ((Map<String, Object>) r.get("ingest")).get("cpu")))
                .append(" |\n");
        sb.append("| a. PostgreSQL waits during ingest | ")
                .append(WaitSampler.text((Map<String, Object>) ((Map<String, Object>) r.get("ingest")).get("postgresWaits")))
                .append(" |\n");
        sb.append("| b. COPY (round ").append(r.get("medianRound")).append(") | ").append(cpuText((Map<String, Object>) ((Map<String, Object>) r.get("copy")).get("cpu")))
                .append(" |\n");
        sb.append("| c. single-event POSTs | ").append(cpuText((Map<String, Object>) ((Map<String, Object>) r.get("single")).get("cpu")))
                .append(" |\n");
        sb.append("| d. 12-month load | ").append(cpuText((Map<String, Object>) load.get("cpu"))).append(" |\n");
        sb.append("| d. summary reads | ").append(cpuText((Map<String, Object>) r.get("summaryCpu"))).append(" |\n");
        sb.append("\n| Data after the run | |\n|---|---|\n");
        ((Map<String, String>) r.get("sizes")).forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        sb.append("\n| Machine | |\n|---|---|\n");
        ((Map<String, String>) r.get("machine")).forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v.replace("|", "/")).append(" |\n"));
        sb.append("\nBench client time: ").append(f0(d0(r.get("clientSeconds")))).append(" s. Query plans: `")
                .append(stamp).append("-explain.txt`.\n");
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    static void summaryRows(StringBuilder sb, Map<String, Object> summary, String label, int readWarmup) {
        for (var e : summary.entrySet()) {
            Map<String, Object> s = (Map<String, Object>) e.getValue();
            double p50 = ((Number) s.get("p50Ms")).doubleValue(), p99 = ((Number) s.get("p99Ms")).doubleValue();
            sb.append("| d. Summary, ").append(e.getKey()).append(" (").append(s.get("from")).append(" .. ")
                    .append(s.get("to")).append(")").append(label).append(", ").append(s.get("reads"))
                    .append(" reads after ").append(readWarmup).append(" warm-up | p50 **").append(f1(p50))
                    .append(" ms**, p99 **").append(f1(p99)).append(" ms** | < 100 ms | ")
                    .append(p99 < 100 ? "pass" : p50 < 100 ? "p50 pass, **p99 MISS**" : "**MISS**").append(" |\n");
        }
    }

    static Map<String, Object> m(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static double d0(Object o) {
        return ((Number) o).doubleValue();
    }

    @SuppressWarnings("unchecked")
    static String json(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (var e : m.entrySet()) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(json(String.valueOf(e.getKey()))).append(':').append(json(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object x : l) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(json(x));
            }
            return sb.append(']').toString();
        }
        if (o instanceof Number n) {
            double v = n.doubleValue();
            return Double.isFinite(v) ? (n instanceof Double ? String.format(Locale.ROOT, "%.3f", v) : n.toString()) : "null";
        }
        if (o instanceof Boolean b) {
            return b.toString();
        }
        return "\"" + String.valueOf(o).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
