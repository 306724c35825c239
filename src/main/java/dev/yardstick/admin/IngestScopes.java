package dev.yardstick.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Judges a batch's events against the scope of the token that sent them: whose events it may send. The rules:
 *
 * <ul>
 * <li>a person's token ({@code user}): only events whose {@code user} is that person; an explicit {@code team} must be
 * that person's team (none: {@code unassigned}), so nobody moves their usage or outcomes onto another team;</li>
 * <li>a team's token ({@code team}): only events whose {@code user} is a member of that team now (an email Yardstick
 * does not know, or a member of another team or of none, is refused); an explicit {@code team} must be that team. An
 * outcome with a team and no user counts for that team;</li>
 * <li>any other token: every event.</li>
 * </ul>
 *
 * Membership is read once per batch (plain JDBC, one query), before the batch is written.
 */
@ApplicationScoped
public class IngestScopes {

    /** Says, per event, whether a scope lets it through. */
    @FunctionalInterface
    public interface Gate {

        /** Why an event of this user and explicit team (either may be null) is refused, or null when it is not. */
        String refusal(String user, String team);
    }

    private static final Gate OPEN = (user, team) -> null;

    @Inject
    DataSource dataSource;

    /** The gate of a scope for a batch whose events name these users. */
    public Gate gate(IngestScope scope, Collection<String> users) {
        if (scope.user() != null) {
            String own = teams(java.util.List.of(scope.user())).get(scope.user());
            String ownTeam = own == null ? Team.UNASSIGNED : own;
            return (user, team) -> {
                if (!scope.user().equals(user)) {
                    return "user must be " + scope.user() + ": this token sends only that person's events";
                }
                if (team != null && !team.equals(ownTeam)) {
                    return own == null
                            ? "team must be left out with this token: " + scope.user() + " is in no team"
                            : "team must be " + own + " (" + scope.user() + "'s team) or left out with this token";
                }
                return null;
            };
        }
        if (scope.team() != null) {
            Map<String, String> teams = teams(users.stream().filter(Objects::nonNull).toList());
            return (user, team) -> {
                if (team != null && !team.equals(scope.team())) {
                    return "team must be " + scope.team() + " or left out: this token sends only that team's events";
                }
                if (user != null && !scope.team().equals(teams.get(user))) {
                    return "user " + user + " is not a member of team " + scope.team()
                            + ", the only team this token sends events of";
                }
                return null;
            };
        }
        return OPEN;
    }

    /** The teams of the members with these emails (absent: no such member, or in no team). */
    private Map<String, String> teams(Collection<String> emails) {
        Map<String, String> out = new HashMap<>();
        if (emails.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select email, team_key from member where email = any(?) and team_key is not null")) {
            ps.setArray(1, c.createArrayOf("text", new TreeSet<>(emails).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("ingest scope check failed", e);
        }
        return out;
    }
}
