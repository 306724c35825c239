package dev.yardstick.ledger;

import dev.yardstick.admin.Team;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Who a batch's events belong to: the explicitly named teams (one query) and the members by email (one query,
 * creating unknown ones without a team in one insert), on the batch's connection.
 */
final class MemberResolution {

    /** A member as a batch needs it: id, team and the team's timezone (UTC without a team). */
    record MemberRef(long id, String teamKey, ZoneId zone) {
    }

    private MemberResolution() {
    }

    /** Timezones of the explicitly named teams that exist. */
    static <T> Map<String, ZoneId> teams(Connection c, List<T> events, Function<T, String> team) throws SQLException {
        Set<String> keys = new TreeSet<>();
        for (T e : events) {
            String k = team.apply(e);
            if (k != null && !Team.UNASSIGNED.equals(k)) {
                keys.add(k);
            }
        }
        Map<String, ZoneId> zones = new HashMap<>();
        if (keys.isEmpty()) {
            return zones;
        }
        try (PreparedStatement ps = c.prepareStatement("select key, timezone from team where key = any(?)")) {
            ps.setArray(1, BatchSql.text(c, keys.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    zones.put(rs.getString(1), ZoneId.of(rs.getString(2)));
                }
            }
        }
        return zones;
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

    /** Members by email, creating (without a team) the ones not seen before. */
    static Map<String, MemberRef> members(Connection c, Collection<String> emails) throws SQLException {
        Set<String> wanted = new TreeSet<>(emails);
        Map<String, MemberRef> found = new HashMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        select(c, wanted, found);
        if (found.size() < wanted.size()) {
            String[] missing = wanted.stream().filter(e -> !found.containsKey(e)).toArray(String[]::new);
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into member (email) select e from unnest(?::text[]) as e order by e on conflict (email) do nothing")) {
                ps.setArray(1, BatchSql.text(c, missing));
                ps.executeUpdate();
            }
            select(c, new HashSet<>(List.of(missing)), found);
        }
        return found;
    }

    private static void select(Connection c, Set<String> emails, Map<String, MemberRef> into) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select m.email, m.id, m.team_key, t.timezone
                from member m left join team t on t.key = m.team_key
                where m.email = any(?)
                """)) {
            ps.setArray(1, BatchSql.text(c, emails.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String tz = rs.getString(4);
                    into.put(rs.getString(1), new MemberRef(rs.getLong(2), rs.getString(3),
                            tz == null ? ZoneOffset.UTC : ZoneId.of(tz)));
                }
            }
        }
    }
}
