package dev.yardstick.ledger;

import dev.yardstick.admin.Roster;
import dev.yardstick.admin.Team;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Who a batch's events belong to: the explicitly named teams and the members by email, looked up (unknown people
 * created) through the admin feature's {@link Roster} on the batch's connection.
 */
final class MemberResolution {

    private MemberResolution() {
    }

    /**
     * Timezones of the explicitly named teams that exist; with {@code liveOnly}, of those not deleted (for new
     * events; usage taken back is recomputed in a deleted team's timezone too).
     */
    static <T> Map<String, ZoneId> teams(Roster roster, Connection c, List<T> events, Function<T, String> team,
            boolean liveOnly) throws SQLException {
        Set<String> keys = new TreeSet<>();
        for (T e : events) {
            String k = team.apply(e);
            if (k != null && !Team.UNASSIGNED.equals(k)) {
                keys.add(k);
            }
        }
        return roster.timezones(c, keys, liveOnly);
    }

    /** The events whose explicit team exists (or is absent); the others are added to {@code rejected}. */
    static <R> List<LedgerWriter.Indexed<R>> knownTeamsOnly(List<LedgerWriter.Indexed<R>> events,
            Map<String, ZoneId> teams, Function<R, String> team, Function<R, String> id,
            List<WriteResult.Rejection> rejected) {
        List<LedgerWriter.Indexed<R>> valid = new ArrayList<>();
        for (LedgerWriter.Indexed<R> e : events) {
            String key = team.apply(e.event());
            if (key != null && !Team.UNASSIGNED.equals(key) && !teams.containsKey(key)) {
                rejected.add(new WriteResult.Rejection(e.index(), id.apply(e.event()), "unknown team '" + key + "'"));
            } else {
                valid.add(e);
            }
        }
        return valid;
    }
}
