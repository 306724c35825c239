package dev.yardstick.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Fired (as a CDI event) after a batch of usage events has been committed: the sessions that got
 * live usage (events at most 24 hours old, at their real time), that usage per minute, and every team
 * that got usage at all. Watchers use it to look for runaway sessions and budget thresholds without
 * slowing the write itself.
 *
 * @param sessions sessions with new live usage
 * @param minutes  the new live usage, summed per member, session, minute, tool and model
 * @param teams    teams with any new usage
 */
public record LiveUsage(List<Session> sessions, List<Minute> minutes, Set<String> teams) {

    /** Live usage of one session in one minute, with one tool and model. */
    public record Minute(long memberId, String sessionKey, Instant minute, String tool, String model,
            String teamKey, java.math.BigDecimal costUsd, long requests) {
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
    public static final java.time.Duration WINDOW = java.time.Duration.ofHours(24);

    /** The session key of an event: its session id, or {@code tool:<tool>} when it has none. */
    public static String sessionKey(String sessionId, String tool) {
        return sessionId != null && !sessionId.isBlank() ? sessionId : "tool:" + tool;
    }
}
