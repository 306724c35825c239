package dev.yardstick.ledger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Moves the usage that batches appended to {@code usage_pending} into the rollups: {@code usage_daily} and
 * {@code usage_team_daily} (shard 0) and the members active per team and day, in one statement (delete the pending
 * rows, add their sums, mark their members), so a reader of the {@code *_all} views sees each row either pending or
 * folded, never both or neither. Rows a batch has not committed yet are left for the next run. Runs about every
 * second on every replica; a transaction-scoped advisory lock lets one fold at a time, and the others skip. After many
 * deleted rows, and once ingest goes quiet, it vacuums the table itself, so it stays a few pages even where autovacuum
 * is off.
 */
@ApplicationScoped
public class RollupFold {

    private static final Logger LOG = Logger.getLogger(RollupFold.class);

    /** The advisory lock a fold holds for its transaction ("YARDFOLD"); voids and erasure take it too ({@link #foldWithin}). */
    static final long LOCK = 0x5941524446304C44L;

    /** Deleted rows after which the fold vacuums {@code usage_pending}. */
    static final long VACUUM_AFTER = 50_000;

    private static final String SQL = buildSql(
            "(kind, day) not in (select * from unnest(?::int4[], ?::date[]))");
    private static final String ONE_KEY = buildSql("kind = ? and day = ?");

    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    private volatile long behindRows = BEHIND_ROWS;
    /** About a second of a busy ingest's rollup rows: summed up by a read in about 10 ms. */
    static final long BEHIND_ROWS = 100_000;

    /** Rows a fold must have moved for its rows per key to say whether folding pays. */
    static final long JUDGED_ROWS = 10_000;
    /** How long batches add in place after a fold that added up almost nothing (then pending is tried again). */
    static final long NOT_FOLDING_NANOS = 60_000_000_000L;

    private volatile long notFoldingUntil = System.nanoTime();
    private volatile long pendingReadAt = System.nanoTime() - 1_000_000_000L;
    private volatile long pendingRows;
    private final AtomicLong sinceVacuum = new AtomicLong();
    private final Set<Stuck> stuck = ConcurrentHashMap.newKeySet();
    private volatile boolean failing;

    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            fold();
            if (failing) {
                LOG.info("Folding pending usage into the rollups works again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn("Folding pending usage into the rollups failed; it is retried every second (readers still"
                        + " see the pending usage)", e);
                failing = true;
            }
        }
    }

    /**
     * Folds every committed pending row into the rollups; returns how many were folded (0 when another replica is
     * folding at this moment). A key (kind and day) whose rollup total would pass its column's range is left pending
     * and skipped from then on (readers still count it: the views' sums do not overflow), and an error is logged.
     */
    public long fold() {
        long folded;
        try {
            long[] done = inTransaction(SQL, ps -> stuckArrays(ps, 1));
            folded = done[0];
            if (done[0] >= JUDGED_ROWS && done[1] * 2 > done[0]) {
                // under two rows a key: the fold adds up almost nothing, batches had better add in place for a while
                notFoldingUntil = System.nanoTime() + NOT_FOLDING_NANOS;
            }
        } catch (RuntimeException e) {
            if (!overflows(e)) {
                throw e;
            }
            folded = foldKeyByKey();
        }
        if (folded > 0) {
            registry.counter("yardstick.ledger.rollups.folded").increment(folded);
            if (sinceVacuum.addAndGet(folded) >= VACUUM_AFTER) {
                vacuum();
            }
        } else if (sinceVacuum.get() > 0) {
            // quiet again: the space of the last deleted rows is reclaimed, and the table's empty end given back
            // (which a vacuum cannot do while batches keep appending), so readers scan a few pages, not a backlog's
            vacuum();
        }
        return folded;
    }

    private void vacuum() {
        sinceVacuum.set(0);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("vacuum usage_pending");
        } catch (SQLException e) {
            throw new IllegalStateException("vacuuming usage_pending failed", e);
        }
    }

    /**
     * Sets the pending rows past which batches add to the rollups themselves, and forgets a fold's verdict that folding
     * did not pay (tests; -1: always in place).
     */
    void behindRows(long rows) {
        behindRows = rows;
        notFoldingUntil = System.nanoTime();
    }

    /**
     * Whether batches should add to the rollups themselves: while more than {@link #BEHIND_ROWS} rows are pending, as
     * PostgreSQL's statistics last counted them (read at most every half second), and for
     * {@value #NOT_FOLDING_NANOS} ns after a fold of at least {@value #JUDGED_ROWS} rows that found under two rows a
     * key. A backfill of events spread over many days gives the fold a row per event: folding adds up nothing then,
     * costs the pending rows on top, and readers would sum a backlog.
     */
    boolean behind(Connection c) throws SQLException {
        long now = System.nanoTime();
        if (now - pendingReadAt > 500_000_000L) {
            pendingReadAt = now;
            try (PreparedStatement ps = c.prepareStatement(
                    "select coalesce(n_live_tup, 0) from pg_stat_user_tables where relid = 'usage_pending'::regclass");
                    ResultSet rs = ps.executeQuery()) {
                pendingRows = rs.next() ? rs.getLong(1) : 0;
            }
        }
        return pendingRows > behindRows || now - notFoldingUntil < 0;
    }

    /**
     * Folds the pending usage inside the caller's transaction, waiting for a fold running elsewhere, and holds the
     * fold's lock until that transaction ends: for the paths that must see every committed event's usage in the
     * rollups themselves (voids, which then take usage out and unmark idle members; erasure, which rekeys them).
     */
    void foldWithin(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK);
            lock.execute();
        }
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            stuckArrays(ps, 1);
            ps.execute();
        }
    }

    /** After an overflow: folds each pending key on its own, and remembers those that overflow. */
    private long foldKeyByKey() {
        List<Object[]> keys = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select distinct kind, day from usage_pending")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(new Object[]{rs.getInt(1), rs.getObject(2, LocalDate.class)});
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the pending keys failed", e);
        }
        long folded = 0;
        for (Object[] k : keys) {
            Stuck key = new Stuck((Integer) k[0], (LocalDate) k[1]);
            if (stuck.contains(key)) {
                continue;
            }
            try {
                folded += inTransaction(ONE_KEY, ps -> {
                    ps.setInt(1, key.kind());
                    ps.setObject(2, key.day());
                })[0];
            } catch (RuntimeException e) {
                if (!overflows(e)) {
                    throw e;
                }
                stuck.add(key);
                LOG.errorf("The usage of kind %d on %s would take a rollup total past what its column holds; it stays"
                        + " pending (summaries still count it) until it is voided", key.kind(), key.day());
            }
        }
        return folded;
    }

    /** A pending key left unfolded because its total overflows. */
    private record Stuck(int kind, LocalDate day) {
    }

    private interface Binder {

        void bind(PreparedStatement ps) throws SQLException;
    }

    private void stuckArrays(PreparedStatement ps, int first) throws SQLException {
        List<Stuck> keys = List.copyOf(stuck);
        ps.setArray(first, ps.getConnection().createArrayOf("int4", keys.stream().map(Stuck::kind).toArray()));
        ps.setArray(first + 1, ps.getConnection().createArrayOf("date",
                keys.stream().map(k -> k.day().toString()).toArray()));
    }

    /** Runs a fold statement under the fold's lock; returns the rows folded and the member keys they added to. */
    private long[] inTransaction(String sql, Binder binder) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement lock = c.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
                    lock.setLong(1, LOCK);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            return new long[2];
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return new long[]{rs.getLong(1), rs.getLong(2)};
                    }
                }
            }
        });
    }

    private static boolean overflows(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "22003".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static String buildSql(String which) {
        StringBuilder sums = new StringBuilder();
        StringBuilder update = new StringBuilder();
        for (String col : UsageRollups.COLUMNS) {
            sums.append("sum(").append(col).append("), ");
            update.append(col).append(" = d.").append(col).append(" + excluded.").append(col).append(", ");
        }
        sums.append("sum(cost_usd)");
        update.append("cost_usd = d.cost_usd + excluded.cost_usd");
        String columns = String.join(", ", UsageRollups.COLUMNS) + ", cost_usd";
        return "with moved as (delete from usage_pending where " + which + " returning *), "
                + "named as (select k.team_key, k.member_id, k.tool, k.model, m.*"
                + " from moved m join usage_kind k on k.id = m.kind), "
                + "member_rows as (insert into usage_daily as d (team_key, day, member_id, tool, model, " + columns
                + ", shard) select team_key, day, member_id, tool, model, " + sums + ", 0 from named"
                + " group by team_key, day, member_id, tool, model order by team_key, day, member_id, tool, model"
                + " on conflict (team_key, day, member_id, tool, model, shard) do update set " + update
                + " returning 1), "
                + "team_rows as (insert into usage_team_daily as d (team_key, day, tool, model, " + columns
                + ", shard) select team_key, day, tool, model, " + sums + ", 0 from named"
                + " group by team_key, day, tool, model order by team_key, day, tool, model"
                + " on conflict (team_key, day, tool, model, shard) do update set " + update + "), "
                + "active as (insert into team_member_day (team_key, day, member_id)"
                + " select distinct team_key, day, member_id from named where active order by 1, 2, 3"
                + " on conflict do nothing) "
                + "select (select count(*) from moved), (select count(*) from member_rows)";
    }
}
