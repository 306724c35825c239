package dev.yardstick.otlp;

import dev.yardstick.ledger.Bounds;
import dev.yardstick.ledger.AiActivity;
import dev.yardstick.ledger.LedgerWriter;
import dev.yardstick.ledger.LedgerWriter.Indexed;
import dev.yardstick.ledger.Plausibility;
import dev.yardstick.ledger.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The OTLP receiver's state, kept in the usage batch's transaction: which signal owns a session's
 * usage, the last point of each metric series, and AI activity counters.
 *
 * <p>The rule that keeps metrics and logs from counting the same usage twice: <b>logs win, per
 * session</b>. A session's usage counts from metrics only while no log event of that session has
 * reached Yardstick. When one does, the session's metric-derived usage events are removed (and taken
 * out of the rollups) and its metric points are dropped from then on. Metrics without a
 * {@code session.id} are matched per user instead: logs from a user take that user's session-less
 * metrics of the same tool over too.
 */
@ApplicationScoped
class OtlpStore {

    /** Prefix of the ids of metric-derived usage events. */
    static final String METRIC_ID_PREFIX = "otlpm:";

    @Inject
    LedgerWriter ledger;
    @Inject
    AiActivity aiActivity;
    @Inject
    Plausibility plausibility;

    /** The logs prelude: claims the batch's sessions for logs, removing usage derived from metrics. */
    List<Indexed<UsageRecord>> claimForLogs(Connection c, List<Indexed<UsageRecord>> events) throws SQLException {
        Set<List<String>> claims = new TreeSet<>(KEY_ORDER);
        for (Indexed<UsageRecord> e : events) {
            UsageRecord u = e.event();
            if (u.sessionId() != null) {
                claims.add(List.of(u.tool(), u.sessionId()));
            }
            claims.add(List.of(u.tool(), "~" + u.user()));
        }
        String[] tools = claims.stream().map(k -> k.get(0)).toArray(String[]::new);
        String[] sessions = claims.stream().map(k -> k.get(1)).toArray(String[]::new);
        Map<String, List<String>> flipped = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select s.tool, s.session_id from otlp_session s
                join unnest(?::text[], ?::text[]) as k(tool, session_id) using (tool, session_id)
                where s.signal = 'metrics' order by 1, 2 for update of s
                """)) {
            ps.setArray(1, c.createArrayOf("text", tools));
            ps.setArray(2, c.createArrayOf("text", sessions));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    flipped.computeIfAbsent(rs.getString(1), x -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        for (var e : flipped.entrySet()) {
            ledger.retractUsage(c, METRIC_ID_PREFIX, e.getKey(), e.getValue());
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into otlp_session (tool, session_id, signal)
                select tool, session_id, 'logs' from unnest(?::text[], ?::text[]) as k(tool, session_id)
                on conflict (tool, session_id) do update set signal = 'logs', seen_at = now()
                where otlp_session.signal = 'metrics'
                """)) {
            ps.setArray(1, c.createArrayOf("text", tools));
            ps.setArray(2, c.createArrayOf("text", sessions));
            ps.executeUpdate();
        }
        return events;
    }

    private record State(long start, long time, double value) {
    }

    /**
     * The metrics prelude: turns the points into deltas against the stored series, stores the new
     * series state and the activity counters, and returns the usage events of the sessions not
     * owned by logs. {@code ignored} gets the points outside the time window.
     */
    List<Indexed<UsageRecord>> fromMetrics(Connection c, List<MetricMapping.Point> points, Instant now,
            Instant oldest, Ignored ignored) throws SQLException {
        ignored.outOfWindow = 0;
        ignored.tooLarge = 0;
        ignored.implausible = 0;
        ignored.implausibleReason = null;
        if (points.isEmpty()) {
            return List.of();
        }
        String[] keys = points.stream().map(MetricMapping.Point::series).distinct().sorted().toArray(String[]::new);
        // A placeholder row first, so that two requests with the same new series wait for each other.
        try (PreparedStatement ps = c.prepareStatement("""
                insert into otlp_series (series_key, start_nanos, time_nanos, value)
                select k, -1, -1, 0 from unnest(?::text[]) as k order by 1 on conflict do nothing
                """)) {
            ps.setArray(1, c.createArrayOf("text", keys));
            ps.executeUpdate();
        }
        Map<String, State> states = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select series_key, start_nanos, time_nanos, value from otlp_series
                where series_key = any(?) order by 1 for update
                """)) {
            ps.setArray(1, c.createArrayOf("text", keys));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    states.put(rs.getString(1), new State(rs.getLong(2), rs.getLong(3), rs.getDouble(4)));
                }
            }
        }
        List<MetricMapping.Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparing(MetricMapping.Point::series)
                .thenComparingLong(MetricMapping.Point::timeNanos));
        Map<String, State> changed = new TreeMap<>();
        record Group(Tool tool, String user, String session, String model, long time) {
        }
        Map<Group, double[]> usage = new LinkedHashMap<>();
        Map<List<Object>, Long> activity = new TreeMap<>(ACTIVITY_ORDER);
        for (MetricMapping.Point p : sorted) {
            State s = states.get(p.series());
            if (s != null && s.time() >= p.timeNanos()) {
                continue;
            }
            double delta;
            if (!p.cumulative()) {
                delta = p.value();
            } else if (s != null && s.time() >= 0 && s.start() == p.startNanos() && p.value() >= s.value()) {
                delta = p.value() - s.value();
            } else {
                delta = p.value();
            }
            State next = new State(p.startNanos(), p.timeNanos(), p.value());
            states.put(p.series(), next);
            changed.put(p.series(), next);
            Instant time = Instant.ofEpochSecond(0, p.timeNanos());
            if (time.isAfter(now.plusSeconds(300)) || time.isBefore(oldest)) {
                ignored.outOfWindow++;
                continue;
            }
            if (delta <= 0) {
                continue;
            }
            switch (p.kind()) {
                case TOKENS, COST -> {
                    double[] g = usage.computeIfAbsent(new Group(p.tool(), p.user(), p.session(), p.model(),
                            p.timeNanos()), x -> new double[]{0, 0, 0, 0, 0, 0, -1, 0});
                    add(g, p, delta);
                }
                case PULL_REQUESTS, COMMITS -> activity.merge(List.of(p.user(), p.tool().key,
                        time.atZone(ZoneOffset.UTC).toLocalDate(),
                        p.kind() == MetricMapping.Kind.PULL_REQUESTS ? "pull_request" : "commit"),
                        Math.round(delta), Long::sum);
            }
        }
        saveStates(c, changed);
        saveActivity(c, activity);
        if (usage.isEmpty()) {
            return List.of();
        }
        Set<List<String>> claims = new TreeSet<>(KEY_ORDER);
        usage.keySet().forEach(g -> claims.add(List.of(g.tool().key, g.session())));
        Set<List<String>> ownedByLogs = claimForMetrics(c, claims);
        List<Indexed<UsageRecord>> out = new ArrayList<>();
        for (var e : usage.entrySet()) {
            Group g = e.getKey();
            if (ownedByLogs.contains(List.of(g.tool().key, g.session()))) {
                continue;
            }
            double[] v = e.getValue();
            if (beyondBounds(v)) {
                ignored.tooLarge += (int) v[7];
                continue;
            }
            long in = Math.round(v[0]), o = Math.round(v[1]), cr = Math.round(v[2]), cw = Math.round(v[3]);
            if (g.tool() == Tool.GEMINI_CLI) {
                // Gemini CLI's input count includes cached tokens; thoughts are billed as output.
                in = Math.max(0, in - cr) + Math.round(v[5]);
                o += Math.round(v[4]);
            }
            BigDecimal cost = v[6] < 0 ? null : Bounds.cost(v[6]);
            String id = METRIC_ID_PREFIX + g.tool().key + ":"
                    + Attrs.hash(g.user(), g.session(), g.model(), Long.toString(g.time()));
            UsageRecord u = new UsageRecord(id, Instant.ofEpochSecond(0, g.time()), g.user(), null, g.tool().key,
                    g.model(), in, o, cr, cw, cost, 0, g.session());
            // a group's request count is not known: the cost limit only
            String implausible = plausibility.costViolation(u);
            if (implausible != null) {
                ignored.implausible(implausible, (int) v[7]);
                continue;
            }
            out.add(new Indexed<>(out.size(), u));
        }
        return out;
    }

    /** Adds a point to its group: input, output, cache read, cache write, thought, tool, cost (-1: none), points. */
    private static void add(double[] g, MetricMapping.Point p, double delta) {
        g[7]++;
        if (p.kind() == MetricMapping.Kind.COST) {
            g[6] = Math.max(g[6], 0) + delta;
            return;
        }
        String type = p.type() == null ? "" : p.type();
        int slot = switch (type) {
            case "input" -> 0;
            case "output" -> 1;
            case "cacheRead", "cache" -> 2;
            case "cacheCreation" -> 3;
            case "thought" -> 4;
            case "tool" -> 5;
            default -> -1;
        };
        if (slot >= 0) {
            g[slot] += delta;
        }
    }

    /** Whether a group's usage is more than one usage event may carry. */
    private static boolean beyondBounds(double[] v) {
        for (int i = 0; i < 6; i++) {
            if (v[i] > Bounds.MAX_COUNT) {
                return true;
            }
        }
        return v[0] + v[5] > Bounds.MAX_COUNT || v[1] + v[4] > Bounds.MAX_COUNT
                || v[6] >= 0 && Bounds.cost(v[6]) == null;
    }

    /** Claims sessions for metrics where no signal owns them yet; returns those owned by logs. */
    private static Set<List<String>> claimForMetrics(Connection c, Set<List<String>> claims) throws SQLException {
        String[] tools = claims.stream().map(k -> k.get(0)).toArray(String[]::new);
        String[] sessions = claims.stream().map(k -> k.get(1)).toArray(String[]::new);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into otlp_session (tool, session_id, signal)
                select tool, session_id, 'metrics' from unnest(?::text[], ?::text[]) as k(tool, session_id)
                on conflict (tool, session_id) do nothing
                """)) {
            ps.setArray(1, c.createArrayOf("text", tools));
            ps.setArray(2, c.createArrayOf("text", sessions));
            ps.executeUpdate();
        }
        Set<List<String>> logs = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select s.tool, s.session_id, s.signal from otlp_session s
                join unnest(?::text[], ?::text[]) as k(tool, session_id) using (tool, session_id)
                order by 1, 2 for share of s
                """)) {
            ps.setArray(1, c.createArrayOf("text", tools));
            ps.setArray(2, c.createArrayOf("text", sessions));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if ("logs".equals(rs.getString(3))) {
                        logs.add(List.of(rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
        return logs;
    }

    private static void saveStates(Connection c, Map<String, State> changed) throws SQLException {
        if (changed.isEmpty()) {
            return;
        }
        int n = changed.size();
        String[] keys = new String[n];
        Long[] starts = new Long[n], times = new Long[n];
        Double[] values = new Double[n];
        int i = 0;
        for (var e : changed.entrySet()) {
            keys[i] = e.getKey();
            starts[i] = e.getValue().start();
            times[i] = e.getValue().time();
            values[i] = e.getValue().value();
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement(
                """
                        update otlp_series s set start_nanos = k.start_nanos, time_nanos = k.time_nanos, value = k.value,
                            seen_at = now()
                        from unnest(?::text[], ?::int8[], ?::int8[], ?::float8[]) as k(series_key, start_nanos, time_nanos, value)
                        where s.series_key = k.series_key
                        """)) {
            ps.setArray(1, c.createArrayOf("text", keys));
            ps.setArray(2, c.createArrayOf("int8", starts));
            ps.setArray(3, c.createArrayOf("int8", times));
            ps.setArray(4, c.createArrayOf("float8", values));
            ps.executeUpdate();
        }
    }

    private void saveActivity(Connection c, Map<List<Object>, Long> activity) throws SQLException {
        List<AiActivity.Count> counts = new ArrayList<>();
        for (var e : activity.entrySet()) {
            List<Object> k = e.getKey();
            counts.add(new AiActivity.Count((String) k.get(0), (String) k.get(1), (LocalDate) k.get(2),
                    (String) k.get(3), e.getValue()));
        }
        aiActivity.add(c, counts);
    }

    private static final Comparator<List<String>> KEY_ORDER = (a, b) -> {
        int cmp = a.get(0).compareTo(b.get(0));
        return cmp != 0 ? cmp : a.get(1).compareTo(b.get(1));
    };

    private static final Comparator<List<Object>> ACTIVITY_ORDER = Comparator
            .comparing((List<Object> k) -> (String) k.get(0))
            .thenComparing(k -> (String) k.get(1))
            .thenComparing(k -> (LocalDate) k.get(2))
            .thenComparing(k -> (String) k.get(3));
}
