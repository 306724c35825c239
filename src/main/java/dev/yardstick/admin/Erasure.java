package dev.yardstick.admin;

import dev.yardstick.common.Problem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Erasure on request ({@code DELETE /api/v1/members/{email}?erase=true}), in one transaction: a new anonymous member
 * takes over the person's rows wherever totals depend on them, every feature erases what it keeps
 * ({@link PersonalData}), and the member itself is deleted and struck from every team's managers. An event that
 * arrives later for the same email starts a new member, unrelated to the anonymous one.
 */
@ApplicationScoped
public class Erasure {

    /** How anonymous ids start; no email address looks like one, so an event can never claim it. */
    public static final String PREFIX = "erased-";

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    DataSource dataSource;
    @Inject
    Instance<PersonalData> features;

    /** Erases the member with this email; returns rows erased or anonymised per table. 404 when there is none. */
    public Map<String, Integer> erase(String rawEmail) {
        String email = rawEmail.strip().toLowerCase(Locale.ROOT);
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Integer> out = new TreeMap<>();
            try (Connection c = dataSource.getConnection()) {
                PersonalData.Subject subject = subject(c, email, rawEmail);
                List<PersonalData> ordered = new ArrayList<>();
                features.forEach(ordered::add);
                ordered.sort(Comparator.comparingInt(PersonalData::order)
                        .thenComparing(f -> f.getClass().getName()));
                for (PersonalData f : ordered) {
                    f.erase(subject).forEach((table, n) -> out.merge(table, n, Integer::sum));
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        update team set managers = array_remove(managers, ?), updated_at = now()
                        where ? = any(managers)
                        """)) {
                    ps.setString(1, email);
                    ps.setString(2, email);
                    out.put("team.managers", ps.executeUpdate());
                }
                // tokens scoped to the person stop working and no longer name them
                try (PreparedStatement ps = c.prepareStatement("""
                        update ingest_token set scope_user = ?, revoked_at = coalesce(revoked_at, now())
                        where scope_user = ?
                        """)) {
                    ps.setString(1, subject.anonymousId());
                    ps.setString(2, email);
                    out.put("ingest_token", ps.executeUpdate());
                }
                // the team audit names who changed a team, and managers in changed manager lists
                out.put("team_audit", TeamSettings.erase(c, subject));
                try (PreparedStatement ps = c.prepareStatement("delete from member where id = ?")) {
                    ps.setLong(1, subject.memberId());
                    out.put("member", ps.executeUpdate());
                }
            }
            return out;
        });
    }

    /** Locks the member, reads what identifies them, and creates the anonymous member that replaces them. */
    private static PersonalData.Subject subject(Connection c, String email, String rawEmail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select id, display_name, slack_user_id, teams_user_id, github_login from member
                where email = ? for update
                """)) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw Problem.notFound("No member with email '" + rawEmail + "'.");
                }
                byte[] random = new byte[8];
                RANDOM.nextBytes(random);
                String anonymousId = PREFIX + HexFormat.of().formatHex(random);
                long anonymous;
                try (PreparedStatement insert = c.prepareStatement(
                        "insert into member (email, left_at) values (?, now()) returning id")) {
                    insert.setString(1, anonymousId);
                    try (ResultSet id = insert.executeQuery()) {
                        id.next();
                        anonymous = id.getLong(1);
                    }
                }
                return new PersonalData.Subject(rs.getLong(1), anonymous, anonymousId, email, rs.getString(2),
                        rs.getString(3), rs.getString(4), rs.getString(5));
            }
        }
    }
}
