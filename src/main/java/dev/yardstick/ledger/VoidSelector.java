package dev.yardstick.ledger;

import java.time.Instant;
import java.util.List;

/**
 * Which events a void takes back: the events with these ids, or a member's events whose time is in
 * {@code [from, to)}, of one tool when {@code tool} is set (usage only).
 *
 * @param ids    the event ids, or {@code null} to select by member and time
 * @param member the member's email (lower case)
 */
public record VoidSelector(List<String> ids, String member, Instant from, Instant to, String tool) {

    /** At most this many ids per void. */
    public static final int MAX_IDS = 10_000;

    /** Selects events by id. */
    public static VoidSelector ofIds(List<String> ids) {
        return new VoidSelector(List.copyOf(ids), null, null, null, null);
    }

    /** Selects a member's events in {@code [from, to)}, of one tool unless {@code tool} is null. */
    public static VoidSelector ofMember(String member, Instant from, Instant to, String tool) {
        return new VoidSelector(null, member, from, to, tool);
    }
}
