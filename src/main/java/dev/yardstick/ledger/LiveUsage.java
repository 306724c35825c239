package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Fired (as a CDI event) after a batch of usage events has been committed: the batch's live events
 * (at most {@link #WINDOW} old, at their real time), column by column, and every team that got usage
 * at all. Watchers use it to look for runaway sessions and budget thresholds without slowing the write
 * itself; the columns are the ledger's own arrays, so firing it costs ingest no object per event.
 *
 * @param size        how many live events the columns hold (they may be longer)
 * @param memberIds   whose usage each event is
 * @param sessionKeys each event's session key ({@link #sessionKey})
 * @param tools       each event's tool
 * @param models      each event's model
 * @param teamKeys    the team each event was booked to
 * @param minutes     each event's minute, in minutes since the epoch
 * @param costs       each event's cost in USD
 * @param requests    each event's request count
 * @param teams       teams with any new usage (live or not)
 */
public record LiveUsage(int size, long[] memberIds, String[] sessionKeys, String[] tools, String[] models,
        String[] teamKeys, long[] minutes, double[] costs, long[] requests, Set<String> teams) {

    /** Live usage of one session in one minute, with one tool and model. */
    public record Minute(long memberId, String sessionKey, Instant minute, String tool, String model,
            String teamKey, BigDecimal costUsd, long requests) {
    }

    /**
     * A session with new live usage.
     *
     * @param memberId   whose session it is
     * @param sessionKey the session id, or {@code tool:<tool>} for events without one
     * @param teamKey    the team the usage was booked to
     * @param from       the earliest minute that got new usage
     */
    public record Session(long memberId, String sessionKey, String teamKey, Instant from) {
    }

    /** How long after its time an event still counts as live. */
    public static final Duration WINDOW = Duration.ofHours(24);

    private static final java.util.concurrent.ConcurrentHashMap<String, String> CANONICAL = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CANONICAL_MAX = 50_000;

    /**
     * One shared instance of each session key, tool, model and team seen lately: the columns wait a
     * few seconds for the watcher, and keeping one string per event alive that long would cost the
     * garbage collector far more than this lookup.
     */
    static String canonical(String s) {
        String c = CANONICAL.get(s);
        if (c != null) {
            return c;
        }
        if (CANONICAL.size() >= CANONICAL_MAX) {
            CANONICAL.clear();
        }
        c = CANONICAL.putIfAbsent(s, s);
        return c != null ? c : s;
    }

    /** The session key of an event: its session id, or {@code tool:<tool>} when it has none. */
    public static String sessionKey(String sessionId, String tool) {
        return sessionId != null && !sessionId.isBlank() ? sessionId : "tool:" + tool;
    }
}
