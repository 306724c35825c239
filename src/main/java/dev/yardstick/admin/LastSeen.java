package dev.yardstick.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * When a member's usage was last seen ({@code member.last_seen_at}, shown by {@code GET /api/v1/members}). The ledger
 * calls it from its batch writer, in the batch's transaction; the member table stays admin's.
 */
public final class LastSeen {

    /** How stale {@code last_seen_at} may get: a member's row is written at most once per this many seconds. */
    public static final long RESOLUTION_SECONDS = 3600;

    private LastSeen() {
    }

    /**
     * Moves each member's {@code last_seen_at} forward to the latest event time given (never past now), when it is
     * more than {@link #RESOLUTION_SECONDS} behind. One statement; rows another transaction holds are skipped rather
     * than waited for (that transaction is writing the member already), so ingest never queues here.
     */
    public static void record(Connection c, Map<Long, Instant> latestByMember) throws SQLException {
        if (latestByMember.isEmpty()) {
            return;
        }
        Map<Long, Instant> sorted = new TreeMap<>(latestByMember);
        Long[] ids = sorted.keySet().toArray(Long[]::new);
        String[] times = sorted.values().stream().map(Instant::toString).toArray(String[]::new);
        try (PreparedStatement ps = c.prepareStatement("""
                with seen as (select id, least(t, now()) as t from unnest(?::int8[], ?::timestamptz[]) as x(id, t)),
                due as (
                    select m.id, seen.t from member m join seen on seen.id = m.id
                    where m.last_seen_at is null or m.last_seen_at < seen.t - make_interval(secs => ?)
                    order by m.id for update of m skip locked
                )
                update member m set last_seen_at = due.t from due where m.id = due.id
                """)) {
            ps.setArray(1, c.createArrayOf("int8", ids));
            ps.setArray(2, c.createArrayOf("text", times));
            ps.setLong(3, RESOLUTION_SECONDS);
            ps.executeUpdate();
        }
    }
}
