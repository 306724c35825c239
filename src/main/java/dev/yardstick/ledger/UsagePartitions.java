package dev.yardstick.ledger;

import dev.yardstick.YardstickConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The partitions of the raw usage events ({@code usage_event}: one per UTC day of the event's time) and of their ids
 * ({@code usage_event_id}: one per UTC month in which ids were first received). Partitions are created
 * {@value #AHEAD_DAYS} days ahead (by the retention job, at start, and for any day a batch needs that has none),
 * each as a table of its own then attached, and dropped whole once out of the retention window: detached
 * concurrently, then dropped. Neither takes a lock that stops ingest (attach and concurrent detach take
 * {@code SHARE UPDATE EXCLUSIVE} on the parent); DDL waits at most {@value #LOCK_TIMEOUT} for its locks.
 */
@ApplicationScoped
public class UsagePartitions {

    private static final Logger LOG = Logger.getLogger(UsagePartitions.class);

    /** Days of partitions kept ready beyond today (UTC). */
    public static final int AHEAD_DAYS = 7;
    static final String LOCK_TIMEOUT = "10s";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");
    private static final String DAY_PREFIX = "usage_event_p";
    private static final String MONTH_PREFIX = "usage_event_id_p";

    @Inject
    DataSource dataSource;
    @Inject
    YardstickConfig config;
    @Inject
    MeterRegistry registry;

    private final Set<LocalDate> days = ConcurrentHashMap.newKeySet();
    private final Set<LocalDate> months = ConcurrentHashMap.newKeySet();

    void onStart(@Observes StartupEvent e) {
        Gauge.builder("yardstick.ledger.partitions.ahead", this, UsagePartitions::aheadDays)
                .description("Days after today (UTC) with a raw usage partition ready").register(registry);
        try {
            ensureWindow();
        } catch (RuntimeException ex) {
            LOG.warn("Could not create the raw usage partitions at start; the retention job retries", ex);
        }
    }

    /** A batch needs day partitions this replica has not seen yet: create them, then run the batch again. */
    public static final class Missing extends RuntimeException {

        final transient Set<LocalDate> days;

        Missing(Set<LocalDate> days) {
            super("no raw usage partition known for " + days, null, false, false);
            this.days = days;
        }
    }

    /** Whether the partitions of these UTC days (and this month's ids') are known to exist. */
    boolean ready(Collection<LocalDate> needed) {
        return days.containsAll(needed)
                && months.contains(LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1));
    }

    /**
     * Runs {@code batch} (a whole transaction), after creating the partitions it found missing when it does
     * ({@link Missing}).
     */
    <T> T withPartitions(java.util.function.Supplier<T> batch) {
        for (int attempt = 0;; attempt++) {
            try {
                return batch.get();
            } catch (RuntimeException e) {
                Missing m = null;
                for (Throwable t = e; t != null && m == null; t = t.getCause()) {
                    m = t instanceof Missing x ? x : null;
                }
                if (m == null || attempt > 0) {
                    throw e;
                }
                ensure(m.days);
            }
        }
    }

    /** The MD5 of an event id as a UUID: {@code md5(id)::uuid} in PostgreSQL. */
    static UUID idHash(String id) {
        byte[] d = MD5.get().digest(id.getBytes(StandardCharsets.UTF_8));
        long hi = 0, lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (d[i] & 0xff);
            lo = (lo << 8) | (d[i + 8] & 0xff);
        }
        return new UUID(hi, lo);
    }

    /** One MD5 per thread: looking the algorithm up costs more than hashing an id. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    });

    /** Creates the partitions of the retention window and {@value #AHEAD_DAYS} days ahead that do not exist. */
    public void ensureWindow() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Set<LocalDate> want = new TreeSet<>();
        for (LocalDate d = today.minusDays(config.rawRetentionDays()); !d.isAfter(today.plusDays(AHEAD_DAYS)); d = d
                .plusDays(1)) {
            want.add(d);
        }
        ensure(want);
    }

    /** Creates the partitions these UTC days need (their day's, and this month's and next month's ids'). */
    public void ensure(Collection<LocalDate> needed) {
        LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
        boolean monthsReady = months.contains(month) && months.contains(month.plusMonths(1));
        if (days.containsAll(needed) && monthsReady) {
            return;
        }
        underLock("creating", s -> {
            Set<LocalDate> haveDays = existing(s, "usage_event", DAY_PREFIX, DAY);
            for (LocalDate d : new TreeSet<>(needed)) {
                if (!haveDays.contains(d)) {
                    create(s, "usage_event", DAY_PREFIX + DAY.format(d),
                            d + " 00:00:00+00", d.plusDays(1) + " 00:00:00+00");
                }
            }
            days.addAll(needed);
            days.addAll(haveDays);
            Set<LocalDate> haveMonths = existing(s, "usage_event_id", MONTH_PREFIX, MONTH);
            for (LocalDate m : new LocalDate[]{month, month.plusMonths(1)}) {
                if (!haveMonths.contains(m)) {
                    create(s, "usage_event_id", MONTH_PREFIX + MONTH.format(m), IdRow.monthStart(m).toString(),
                            IdRow.monthStart(m.plusMonths(1)).toString());
                }
                months.add(m);
            }
        });
    }

    /**
     * Drops the day partitions wholly before {@code cutoff} and the id partitions of months that ended more than a
     * day before it (an id received in a month carries a time at most 5 minutes after that month's end); returns
     * how many raw events they held.
     */
    public long dropBefore(Instant cutoff) {
        LocalDate firstKept = cutoff.atZone(ZoneOffset.UTC).toLocalDate();
        long[] events = {0};
        underLock("dropping", s -> {
            finishDetaches(s);
            for (LocalDate d : existing(s, "usage_event", DAY_PREFIX, DAY)) {
                if (d.isBefore(firstKept)) {
                    events[0] += drop(s, "usage_event", DAY_PREFIX + DAY.format(d));
                    days.remove(d);
                }
            }
            for (LocalDate m : existing(s, "usage_event_id", MONTH_PREFIX, MONTH)) {
                if (m.plusMonths(1).plusDays(1).isBefore(firstKept)
                        || m.plusMonths(1).plusDays(1).equals(firstKept)) {
                    drop(s, "usage_event_id", MONTH_PREFIX + MONTH.format(m));
                    months.remove(m);
                }
            }
        });
        if (events[0] > 0) {
            registry.counter("yardstick.ledger.partitions.dropped.events").increment(events[0]);
        }
        return events[0];
    }

    /**
     * Rebuilds, once, the unique index of each month of ids that is closed (it ended more than a day ago, so no id
     * can be recorded in it any more): full ({@code fillfactor = 100}, which also marks it done) where random inserts
     * left it about 70 % full, about 9 bytes less per id ({@code REINDEX ... CONCURRENTLY}: ingest and probes go on).
     * Not under the partitions' advisory lock, which creating a day must not wait for; the retention job runs on one
     * replica at a time, and a rebuild of the same index elsewhere would wait at most {@value #LOCK_TIMEOUT} and fail.
     * An interrupted rebuild leaves an invalid index behind: it is dropped and the rebuild runs again. Returns the
     * indexes rebuilt.
     */
    public java.util.List<String> repackClosedMonths(LocalDate today) {
        return repack("closed months' id indexes", s -> {
            java.util.List<Repack> out = new java.util.ArrayList<>();
            for (LocalDate m : existing(s, "usage_event_id", MONTH_PREFIX, MONTH)) {
                if (!m.plusMonths(1).plusDays(1).isAfter(today)) {
                    String table = MONTH_PREFIX + MONTH.format(m);
                    out.add(new Repack(table, table + "_hash"));
                }
            }
            return out;
        });
    }

    /**
     * Rebuilds, once, the session index of each settled day that holds events (a day {@link RollupCompaction#LATE_DAYS}
     * days or more before yesterday): full ({@code fillfactor = 100}, which also marks it done), as {@code CREATE
     * INDEX} would have built it. Batches insert a day's sessions in no order, which leaves its index about half full
     * (about 15 bytes an event in bench/run.sh, 8.4 rebuilt); an event arriving for the day later still goes in, and
     * splits a page. Same rules as {@link #repackClosedMonths}: {@code REINDEX ... CONCURRENTLY}, an interrupted
     * rebuild's invalid index dropped and the rebuild run again. Returns the indexes rebuilt.
     */
    public java.util.List<String> repackSettledDays(LocalDate today) {
        return repack("settled days' session indexes", s -> {
            java.util.List<Repack> out = new java.util.ArrayList<>();
            for (LocalDate d : existing(s, "usage_event", DAY_PREFIX, DAY)) {
                if (!d.isAfter(today.minusDays(RollupCompaction.LATE_DAYS + 1))) {
                    String table = DAY_PREFIX + DAY.format(d);
                    String index = sessionIndex(s, table);
                    // an empty day: nothing to pack, and a backfill may still fill it
                    if (index != null && holdsRows(s, table)) {
                        out.add(new Repack(table, index));
                    }
                }
            }
            return out;
        });
    }

    /** An index to rebuild full, once, and its table. */
    private record Repack(String table, String index) {
    }

    /** Lists the indexes a repack considers, on the repack's connection. */
    private interface Candidates {

        java.util.List<Repack> of(Statement s) throws SQLException;
    }

    /**
     * Rebuilds each candidate index not rebuilt yet full ({@code fillfactor = 100}, which marks it done), with
     * {@code REINDEX ... CONCURRENTLY} on an autocommit connection whose locks wait at most {@value #LOCK_TIMEOUT}; an
     * interrupted rebuild leaves an invalid index (and the fillfactor set) behind: it is dropped and the rebuild runs
     * again. Returns the indexes rebuilt.
     */
    private java.util.List<String> repack(String what, Candidates candidates) {
        java.util.List<String> done = new java.util.ArrayList<>();
        QuarkusTransaction.suspendingExisting().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("set lock_timeout = '" + LOCK_TIMEOUT + "'");
                    try {
                        for (Repack r : candidates.of(s)) {
                            java.util.List<String> invalid = invalidIndexes(s, r.table());
                            if (invalid.isEmpty() && packed(s, r.index())) {
                                continue;
                            }
                            for (String index : invalid) {
                                s.execute("drop index concurrently if exists " + index);
                            }
                            s.execute("alter index " + r.index() + " set (fillfactor = 100)");
                            s.execute("reindex index concurrently " + r.index());
                            LOG.debugf("Rebuilt %s full", r.index());
                            done.add(r.index());
                        }
                    } finally {
                        s.execute("reset lock_timeout");
                    }
                }
            } catch (SQLException ex) {
                throw new IllegalStateException("rebuilding " + what + " failed", ex);
            }
        });
        if (!done.isEmpty()) {
            LOG.infof("Rebuilt %d of the %s full", done.size(), what);
        }
        return done;
    }

    /** The day partition's own index of {@code usage_event_session_idx}, or null. */
    private static String sessionIndex(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("select i.indexrelid::regclass::text from pg_index i"
                + " join pg_inherits h on h.inhrelid = i.indexrelid"
                + " where i.indrelid = '" + table
                + "'::regclass and h.inhparent = 'usage_event_session_idx'::regclass")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static boolean holdsRows(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("select exists (select from " + table + ")")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static boolean packed(Statement s, String index) throws SQLException {
        try (ResultSet rs = s.executeQuery("select coalesce('fillfactor=100' = any(reloptions), false) from pg_class"
                + " where relname = '" + index + "'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static java.util.List<String> invalidIndexes(Statement s, String table) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (ResultSet rs = s.executeQuery("select i.indexrelid::regclass::text from pg_index i"
                + " where i.indrelid = '" + table + "'::regclass and not i.indisvalid")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A DDL statement's body: {@code s} on an autocommit connection holding the partitions' advisory lock. */
    private interface Ddl {

        void run(Statement s) throws SQLException;
    }

    /**
     * Runs {@code work} outside any transaction, on one connection under the partitions' advisory lock (so replicas
     * create and drop one at a time), with DDL waiting at most {@link #LOCK_TIMEOUT} for a table lock.
     */
    private void underLock(String what, Ddl work) {
        QuarkusTransaction.suspendingExisting().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("set lock_timeout = '" + LOCK_TIMEOUT + "'");
                    s.execute("select pg_advisory_lock(hashtext('yardstick usage partitions'))");
                    try {
                        work.run(s);
                    } finally {
                        s.execute("select pg_advisory_unlock(hashtext('yardstick usage partitions'))");
                        s.execute("reset lock_timeout");
                    }
                }
            } catch (SQLException ex) {
                throw new IllegalStateException(what + " raw usage partitions failed", ex);
            }
        });
    }

    /** Days after today (UTC) whose partition exists, as this replica last saw them. */
    double aheadDays() {
        LocalDate d = LocalDate.now(ZoneOffset.UTC);
        int n = 0;
        while (days.contains(d.plusDays(n + 1))) {
            n++;
        }
        return n;
    }

    private static void create(Statement s, String parent, String name, String from, String to)
            throws SQLException {
        // a table of its own first, then attached: attaching locks the parent SHARE UPDATE EXCLUSIVE only
        s.execute("create table if not exists " + name + " (like " + parent
                + " including defaults including constraints)");
        if (parent.equals("usage_event_id")) {
            // the month's own unique index, on the 96 bits of the id's MD5 (V31: the parent has none, its key would
            // have to hold the month)
            s.execute("create unique index if not exists " + name + "_hash on " + name + " ((" + IdRow.KEY_SQL
                    + "))");
        }
        s.execute("alter table " + parent + " attach partition " + name + " for values from ('" + from + "') to ('"
                + to + "')");
        LOG.debugf("Created partition %s", name);
    }

    private static long drop(Statement s, String parent, String name) throws SQLException {
        long rows = 0;
        if (parent.equals("usage_event")) {
            // the planner's estimate: counting a day of events would read the whole partition
            try (ResultSet rs = s.executeQuery("select greatest(reltuples, 0)::int8 from pg_class where relname = '"
                    + name + "'")) {
                rows = rs.next() ? rs.getLong(1) : 0;
            }
        }
        s.execute("alter table " + parent + " detach partition " + name + " concurrently");
        s.execute("drop table " + name);
        LOG.infof("Dropped partition %s (about %d raw events)", name, rows);
        return rows;
    }

    /** A detach interrupted mid-way (its session ended) leaves the partition pending: finish it. */
    private static void finishDetaches(Statement s) throws SQLException {
        TreeMap<String, String> pending = new TreeMap<>();
        try (ResultSet rs = s.executeQuery("""
                select c.relname, p.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                join pg_class p on p.oid = i.inhparent
                where p.relname in ('usage_event', 'usage_event_id') and i.inhdetachpending
                """)) {
            while (rs.next()) {
                pending.put(rs.getString(1), rs.getString(2));
            }
        }
        for (var e : pending.entrySet()) {
            s.execute("alter table " + e.getValue() + " detach partition " + e.getKey() + " finalize");
        }
    }

    private static Set<LocalDate> existing(Statement s, String parent, String prefix, DateTimeFormatter f)
            throws SQLException {
        Set<LocalDate> out = new TreeSet<>();
        try (ResultSet rs = s.executeQuery("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                + "where i.inhparent = '" + parent + "'::regclass")) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (name.startsWith(prefix) && name.length() == prefix.length() + (f == DAY ? 8 : 6)) {
                    String digits = name.substring(prefix.length());
                    out.add(f == DAY
                            ? LocalDate.parse(digits, DAY)
                            : LocalDate.parse(digits + "01", DAY));
                }
            }
        }
        return out;
    }
}
