package dev.yardstick.ledger;

import dev.yardstick.common.Problem;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.concurrent.Callable;

/**
 * What batch writes share: array parameters for {@code unnest} (one statement per batch, whatever its size) and
 * the retry of a transaction that lost a deadlock.
 */
public final class BatchSql {

    /** Attempts of a transaction that keeps losing deadlocks. */
    static final int MAX_ATTEMPTS = 5;

    private BatchSql() {
    }

    /**
     * The SQLSTATE a batch throws to be run again ({@code serialization_failure}): as after a deadlock, the next
     * attempt sees what the other transaction committed.
     */
    static final String RETRY_STATE = "40001";

    /** A {@code text[]} parameter. */
    public static Array text(Connection c, Object[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }

    /** An {@code int8[]} parameter. */
    public static Array longs(Connection c, Long[] values) throws SQLException {
        return c.createArrayOf("int8", values);
    }

    /**
     * Runs {@code work} (one transaction), again after a deadlock or serialization failure, up to {@value
     * #MAX_ATTEMPTS} times; a sum beyond its column or text PostgreSQL cannot store is a 400 with nothing stored.
     */
    public static <T> T withRetry(Callable<T> work) {
        return withRetry(attempt -> work.call());
    }

    /** One attempt of a batch's transaction; {@code attempt} counts from 1. */
    public interface Attempt<T> {

        /** Runs the attempt numbered {@code attempt}. */
        T call(int attempt) throws Exception;
    }

    /** {@link #withRetry(Callable)}, telling {@code work} which attempt it runs. */
    public static <T> T withRetry(Attempt<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return work.call(attempt);
            } catch (Exception e) {
                String state = sqlState(e);
                if ("22003".equals(state)) {
                    // numeric_value_out_of_range: each event is within Bounds, but the batch takes a sum past its column
                    throw Problem.badRequest("The batch would take a daily total beyond what the ledger holds "
                            + "(costs below 1000000000000 USD, counts below 2^63); nothing was stored.");
                }
                if ("22021".equals(state) || "22P05".equals(state)) {
                    // text PostgreSQL cannot store; the ways in reject it per event, this is the last guard
                    throw Problem.badRequest("The batch has text PostgreSQL cannot store (such as U+0000); "
                            + "nothing was stored.");
                }
                if (attempt >= MAX_ATTEMPTS || !isRetryable(e)) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return null;
    }

    /** A batch's events by id, in id order, and how many repeated an id seen earlier in the batch. */
    record Unique<R>(Map<String, R> events, int duplicates) {
    }

    static <R> Unique<R> unique(List<LedgerWriter.Indexed<R>> valid, Function<R, String> id) {
        Map<String, R> events = new TreeMap<>();
        int duplicates = 0;
        for (LedgerWriter.Indexed<R> e : valid) {
            if (events.putIfAbsent(id.apply(e.event()), e.event()) != null) {
                duplicates++;
            }
        }
        return new Unique<>(events, duplicates);
    }

    /** Runs an {@code insert ... returning id} with array parameters; the ids it inserted. */
    static Set<String> insertReturningIds(Connection c, String sql, Array... params) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setArray(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s
                    && ("40P01".equals(s.getSQLState()) || RETRY_STATE.equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
