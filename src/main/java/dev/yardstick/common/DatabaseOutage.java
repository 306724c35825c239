package dev.yardstick.common;

import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Recognises a failure that means the database cannot be reached right now (down, restarting, failing
 * over, or no connection free in time), which a client should retry: the answer is 503 with
 * {@code Retry-After}, never 500.
 *
 * <p>Recognised in an exception's causes and suppressed exceptions: SQLState class 08 (connection exceptions), 57P01/57P02/57P03
 * (administrator or crash shutdown, cannot connect now) and the connection pool's acquisition timeout.
 * Nothing else: a constraint violation or a bug stays a 500.
 */
public final class DatabaseOutage {

    /** Seconds a client is asked to wait before retrying. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private static final Logger LOG = Logger.getLogger(DatabaseOutage.class);
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    private static final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private static final AtomicLong unlogged = new AtomicLong();

    private DatabaseOutage() {
    }

    /** Whether {@code e} or one of its causes says the database is unreachable for now. */
    public static boolean causedBy(Throwable e) {
        return find(e, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>())) != null;
    }

    /**
     * The transient connection failure among {@code e}'s causes and suppressed exceptions, or null. A commit that
     * fails as the database goes away reaches the caller as a JTA {@code HeuristicMixedException} or
     * {@code RollbackException} without a cause: the transaction manager (Narayana) attaches the resource's
     * {@code XAException}, whose cause is the driver's {@code SQLException}, as a suppressed exception.
     */
    private static SQLException find(Throwable e, java.util.Set<Throwable> seen) {
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof SQLException sql && transientConnectionFailure(sql)) {
                return sql;
            }
            for (Throwable s : t.getSuppressed()) {
                SQLException found = find(s, seen);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static boolean transientConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            // Agroal's pool: no connection was free (or could be made) within the acquisition timeout
            String message = e.getMessage();
            return message != null && message.startsWith("Sorry, acquisition timeout");
        }
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
    }

    /**
     * The 503 problem response, with {@code Retry-After}. Logs one line (no stack trace) at most every
     * 10 seconds, with the number of requests refused since the last one, so an outage does not flood
     * the log.
     */
    public static Response response(Throwable cause) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        long refused = unlogged.incrementAndGet();
        if (now - last >= LOG_EVERY_NANOS && lastLogged.compareAndSet(last, now)) {
            unlogged.addAndGet(-refused);
            LOG.warnf("The database is unreachable (%s); answering 503 with Retry-After (%d request(s) refused "
                    + "since the last such line)", describe(cause), refused);
        }
        return Response.fromResponse(Problem.response(503, "Service Unavailable",
                "The database is unavailable for the moment; nothing was stored. Retry in a few seconds.", null))
                .header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)).build();
    }

    private static String describe(Throwable e) {
        SQLException sql = find(e, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        if (sql == null) {
            return "connection failure";
        }
        return sql.getSQLState() == null
                ? "no connection within the acquisition timeout"
                : "SQLState " + sql.getSQLState();
    }
}
