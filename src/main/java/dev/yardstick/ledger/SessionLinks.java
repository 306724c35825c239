package dev.yardstick.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Where coding sessions worked ({@code session_link}): a session's repository and branch, and from when. The spend of
 * the sessions linked to a pull request's head branch is that pull request's AI cost; the spend of the sessions on a
 * branch whose name holds a ticket's key ({@code ana/eng-123-retry}) is that ticket's.
 *
 * <p>A session's spend counts for a branch from when its link arrived until the pull request merged (or the ticket was
 * resolved), and not after the session was linked to another branch since; spend before a pull request from the same
 * branch merged earlier belongs to that one. The link is kept as the raw events are
 * ({@code YARDSTICK_RAW_RETENTION_DAYS}).
 */
@ApplicationScoped
public class SessionLinks implements StatePurge {

    /** A repository as {@code owner/name}. */
    public static final Pattern REPOSITORY = Pattern.compile("[a-z0-9_.-]+/[a-z0-9_.-]+");
    /** A ticket key as Linear and Jira write it: {@code ENG-123}. */
    public static final Pattern TICKET_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,30}-[0-9]{1,12}");

    /** The spend of the sessions linked to something; {@code costUsd} is null when no session was. */
    public record Cost(int sessions, BigDecimal costUsd) {

        static final Cost NONE = new Cost(0, null);
    }

    /**
     * A session's repository and branch as its telemetry named them, from {@code from} (its earliest event in the
     * batch that named them).
     *
     * @param repository {@code owner/name}, lower-case
     */
    public record Link(String sessionId, String repository, String branch, String headSha, Instant from) {
    }

    @Inject
    DataSource dataSource;

    /**
     * Links sessions as {@link #link(String, String, String, String)} does, on the caller's connection and
     * transaction (an OpenTelemetry batch's), in one statement; a link arrives at its {@code from}, or now if that is
     * later. Returns how many links were new.
     */
    public static int link(Connection c, java.util.Collection<Link> links) throws SQLException {
        if (links.isEmpty()) {
            return 0;
        }
        java.util.List<Link> sorted = links.stream().sorted(java.util.Comparator.comparing(Link::sessionId)
                .thenComparing(Link::repository).thenComparing(Link::branch)).toList();
        int n = sorted.size();
        String[] sessions = new String[n], repos = new String[n], branches = new String[n], shas = new String[n],
                from = new String[n];
        for (int i = 0; i < n; i++) {
            Link l = sorted.get(i);
            sessions[i] = l.sessionId();
            repos[i] = l.repository().toLowerCase(Locale.ROOT);
            branches[i] = l.branch();
            shas[i] = l.headSha() == null ? null : l.headSha().toLowerCase(Locale.ROOT);
            from[i] = l.from().toString();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into session_link (session_id, repository, branch, head_sha, linked_at)
                select s, r, b, h, least(f, now())
                from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[]) as k (s, r, b, h, f)
                on conflict do nothing
                """)) {
            ps.setArray(1, BatchSql.text(c, sessions));
            ps.setArray(2, BatchSql.text(c, repos));
            ps.setArray(3, BatchSql.text(c, branches));
            ps.setArray(4, BatchSql.text(c, shas));
            ps.setArray(5, BatchSql.text(c, from));
            return ps.executeUpdate();
        }
    }

    /**
     * Links a session to a repository and branch; linking it again to the same ones changes nothing. Returns whether
     * the link is new.
     *
     * @param repository {@code owner/name}, any case ({@link #REPOSITORY} once lower-cased)
     */
    public boolean link(String sessionId, String repository, String branch, String headSha) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into session_link (session_id, repository, branch, head_sha) values (?, ?, ?, ?)
                on conflict do nothing
                """)) {
            ps.setString(1, sessionId);
            ps.setString(2, repository.toLowerCase(Locale.ROOT));
            ps.setString(3, branch);
            ps.setString(4, headSha == null ? null : headSha.toLowerCase(Locale.ROOT));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("session link failed", e);
        }
    }

    /**
     * The spend of the sessions linked to a pull request's head branch, until {@code until} (when it merged or
     * closed), on the caller's connection.
     */
    static Cost ofPullRequest(Connection c, String repository, String branch, Instant until) throws SQLException {
        if (repository == null || branch == null || until == null) {
            return Cost.NONE;
        }
        return cost(c, "s.repository = ? and s.branch = ?", until, repository, branch, """
                greatest(l.linked_at, coalesce((select max(p.time) from outcome_event p
                    where p.repository = ? and p.branch = ? and p.kind in ('pr_merged', 'pr_reverted', 'pr_closed')
                        and p.time < ? and p.void_id is null), '-infinity'))
                """);
    }

    /**
     * The spend of the sessions linked to a branch whose name holds the ticket key (case-insensitively, not as part
     * of a longer key: {@code eng-123} is in {@code ana/eng-123-retry}, not in {@code ana/eng-1234}), in any
     * repository, until {@code until} (when the ticket was resolved).
     */
    static Cost ofTicket(Connection c, String key, Instant until) throws SQLException {
        if (key == null || until == null || !TICKET_KEY.matcher(key).matches()) {
            return Cost.NONE;
        }
        String pattern = "(^|[^a-z0-9])" + key.toLowerCase(Locale.ROOT) + "($|[^0-9])";
        return cost(c, "lower(s.branch) ~ ?", until, pattern, null, "l.linked_at");
    }

    private static Cost cost(Connection c, String where, Instant until, String p1, String p2, String from)
            throws SQLException {
        boolean pr = p2 != null;
        String sql = """
                with l as (
                    select s.session_id, s.linked_at,
                        (select min(o.linked_at) from session_link o where o.session_id = s.session_id
                            and o.linked_at > s.linked_at and (o.repository, o.branch) <> (s.repository, s.branch))
                            as moved_at
                    from session_link s where %s and s.linked_at < ?
                )
                select count(*), coalesce(sum((select coalesce(sum(usage_cost_usd(u.figures)), 0) from usage_event u
                    where u.session_id = l.session_id and u.session_id <> ''
                        and u.time >= %s and u.time < least(?, coalesce(l.moved_at, 'infinity')))), 0)
                from l
                """.formatted(where, from);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Timestamp t = Timestamp.from(until);
            int i = 1;
            ps.setString(i++, p1);
            if (pr) {
                ps.setString(i++, p2);
            }
            ps.setTimestamp(i++, t);
            if (pr) {
                ps.setString(i++, p1);
                ps.setString(i++, p2);
                ps.setTimestamp(i++, t);
            }
            ps.setTimestamp(i, t);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int n = rs.getInt(1);
                return n == 0 ? Cost.NONE : new Cost(n, rs.getBigDecimal(2));
            }
        }
    }

    @Override
    public void purge(Instant rawCutoff) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from session_link where linked_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(rawCutoff));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("session link purge failed", e);
        }
    }
}
