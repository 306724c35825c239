package dev.yardstick.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The writes other features make to the people and teams this feature owns ({@code member}, {@code team}), and the
 * set-based lookups a batch needs on its own connection: the ledger resolving a batch's people, chat linking a
 * person found on a platform, an approved budget increase.
 */
@ApplicationScoped
public class Roster {

    /**
     * A person as a batch needs them: member id, team (null without one), the team's timezone (UTC without), and
     * whether they left (then they are counted active nowhere), and when their usage was last seen (null: never).
     */
    public record Person(long id, String teamKey, ZoneId zone, boolean left, java.time.Instant lastSeen) {

        /** Whether an event at {@code time} moves {@code last_seen_at} (see {@link LastSeen}). */
        public boolean seenAnew(java.time.Instant time) {
            return lastSeen == null || lastSeen.isBefore(time.minusSeconds(LastSeen.RESOLUTION_SECONDS));
        }
    }

    @Inject
    EntityManager em;

    /**
     * Timezones of the teams among {@code keys} that exist, on the caller's connection; with {@code liveOnly}, of
     * those not deleted (a deleted team takes no new events, but its history is still recomputed in its timezone).
     */
    public Map<String, ZoneId> timezones(Connection c, Collection<String> keys, boolean liveOnly)
            throws SQLException {
        Map<String, ZoneId> zones = new HashMap<>();
        if (keys.isEmpty()) {
            return zones;
        }
        try (PreparedStatement ps = c.prepareStatement("select key, timezone from team where key = any(?)"
                + (liveOnly ? " and deleted_at is null" : ""))) {
            ps.setArray(1, c.createArrayOf("text", new TreeSet<>(keys).toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    zones.put(rs.getString(1), ZoneId.of(rs.getString(2)));
                }
            }
        }
        return zones;
    }

    /**
     * People by email, on the caller's connection and transaction: one query, and one insert creating (without a
     * team) the ones not seen before, in email order so concurrent batches lock alike.
     */
    public Map<String, Person> resolve(Connection c, Collection<String> emails) throws SQLException {
        Set<String> wanted = new TreeSet<>(emails);
        Map<String, Person> found = new HashMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        select(c, wanted, found);
        if (found.size() < wanted.size()) {
            String[] missing = wanted.stream().filter(e -> !found.containsKey(e)).toArray(String[]::new);
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into member (email) select e from unnest(?::text[]) as e order by e on conflict (email) do nothing")) {
                ps.setArray(1, c.createArrayOf("text", missing));
                ps.executeUpdate();
            }
            select(c, new HashSet<>(List.of(missing)), found);
        }
        return found;
    }

    private static void select(Connection c, Set<String> emails, Map<String, Person> into) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select m.email, m.id, m.team_key, t.timezone, m.left_at is not null, m.last_seen_at
                from member m left join team t on t.key = m.team_key
                where m.email = any(?)
                """)) {
            ps.setArray(1, c.createArrayOf("text", emails.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String tz = rs.getString(4);
                    into.put(rs.getString(1), new Person(rs.getLong(2), rs.getString(3),
                            tz == null ? ZoneOffset.UTC : ZoneId.of(tz), rs.getBoolean(5),
                            rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()));
                }
            }
        }
    }

    /**
     * Links a person found on Slack (by email) to their Slack user, in the current transaction, creating the member
     * without a team when the email is new; ids already set are kept.
     */
    public void linkSlackUser(String email, String slackUserId, String slackTeamId) {
        em.createNativeQuery(
                """
                        insert into member (email, slack_user_id, slack_team_id) values (?1, ?2, ?3)
                        on conflict (email) do update set slack_user_id = coalesce(member.slack_user_id, excluded.slack_user_id),
                            slack_team_id = coalesce(member.slack_team_id, excluded.slack_team_id), updated_at = now()
                        """)
                .setParameter(1, email).setParameter(2, slackUserId).setParameter(3, slackTeamId).executeUpdate();
    }

    /** Adds {@code amountUsd} to the team's weekly budget (from none: to the amount), in the current transaction. */
    public void raiseWeeklyBudget(String teamKey, BigDecimal amountUsd) {
        em.createNativeQuery("""
                update team set weekly_budget_usd = coalesce(weekly_budget_usd, 0) + ?1, updated_at = now()
                where key = ?2
                """).setParameter(1, amountUsd).setParameter(2, teamKey).executeUpdate();
    }
}
