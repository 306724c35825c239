package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Fired (as a CDI event) after a batch of usage events has been committed: the batch as the ledger
 * wrote it, column by column, read-only. Watchers take from it the new events at most
 * {@link #WINDOW} old at their real time ({@link #isLive}), and the teams that got usage, on their
 * own thread: ingest does no work per event for them.
 *
 * @param events    the batch's events
 * @param isNew     whether each event was new (not a duplicate of one stored before)
 * @param memberIds whose usage each event is
 * @param teamKeys  the team each event was booked to
 * @param costs     each event's cost in USD (reported or computed)
 * @param exactTime whether the events' times are when the tokens were spent (not so for daily
 *                  totals pulled from vendors, which stay out of runaway detection)
 * @param signals   what the tools reported beside usage in the same request (a person's prompt, a tool's
 *                  result, an API error), never stored: only runaway detection reads them, in memory
 */
public record LiveUsage(UsageRecord[] events, boolean[] isNew, Long[] memberIds, String[] teamKeys,
        BigDecimal[] costs, boolean exactTime, List<Signal> signals) {

    /** A batch without signals. */
    public LiveUsage(UsageRecord[] events, boolean[] isNew, Long[] memberIds, String[] teamKeys, BigDecimal[] costs,
            boolean exactTime) {
        this(events, isNew, memberIds, teamKeys, costs, exactTime, List.of());
    }

    /** Only signals, no usage (a request that carried no usage events). */
    public static LiveUsage signalsOnly(List<Signal> signals) {
        return new LiveUsage(new UsageRecord[0], new boolean[0], new Long[0], new String[0], new BigDecimal[0], true,
                signals);
    }

    /** This batch with these signals. */
    public LiveUsage withSignals(List<Signal> more) {
        return more.isEmpty() ? this : new LiveUsage(events, isNew, memberIds, teamKeys, costs, exactTime, more);
    }

    /** What a tool reported about a session beside its usage (OpenTelemetry events other than the request's). */
    public enum SignalKind {
        /** The person sent the session a prompt ({@code user_prompt}). */
        PROMPT,
        /** A tool call succeeded ({@code tool_result} with {@code success} true). */
        TOOL_OK,
        /** A tool call failed ({@code tool_result} with {@code success} false). */
        TOOL_FAILED,
        /** A model request failed ({@code api_error}). */
        API_ERROR
    }

    /**
     * One such report.
     *
     * @param user      the user as the tool named them (the same attribute as its usage events)
     * @param tool      the ledger's tool key
     * @param sessionId the session id, or null
     * @param time      when it happened (the event's time)
     */
    public record Signal(String user, String tool, String sessionId, Instant time, SignalKind kind) {
    }

    /** Whether event {@code i} counts for runaway detection: new, at its real time, not before {@code since}. */
    public boolean isLive(int i, Instant since) {
        return isNew[i] && exactTime && !events[i].time().isBefore(since);
    }

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

    /** The session key of an event: its session id, or {@code tool:<tool>} when it has none. */
    public static String sessionKey(String sessionId, String tool) {
        return sessionId != null && !sessionId.isBlank() ? sessionId : "tool:" + tool;
    }
}
