package dev.yardstick.ledger;

import dev.yardstick.common.Problem;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
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
        for (int attempt = 1;; attempt++) {
            try {
                return work.call();
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

    private static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40P01".equals(s.getSQLState()) || "40001".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
