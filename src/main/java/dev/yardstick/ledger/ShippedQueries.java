package dev.yardstick.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Pull requests and resolved tickets one by one, with their AI cost ({@link SessionLinks}), from the raw outcome
 * events (so for the raw-event retention only). Never an author or a title, except to the author themselves
 * ({@link #ownPullRequests}).
 */
@ApplicationScoped
public class ShippedQueries {

    @Inject
    DataSource dataSource;

    /** A team's pull requests and resolved tickets in the week starting {@code monday}, in the team's timezone. */
    public Shipped shipped(String team, String week, LocalDate monday, ZoneId zone) {
        List<Shipped.PullRequest> prs = new ArrayList<>();
        List<Shipped.Ticket> tickets = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select kind, repository, number, ai_cost_usd, coalesce(ai_assisted, false), ticket_key,
                    reverts_repository, reverts_number
                from outcome_event
                where team_key = ? and time >= ? and time < ? and void_id is null
                    and kind in ('pr_merged', 'pr_closed', 'pr_reverted', 'ticket_resolved')
                order by time, repository, number, ticket_key, id
                """)) {
            ps.setString(1, team);
            ps.setTimestamp(2, Timestamp.from(monday.atStartOfDay(zone).toInstant()));
            ps.setTimestamp(3, Timestamp.from(monday.plusWeeks(1).atStartOfDay(zone).toInstant()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(1);
                    BigDecimal cost = money(rs.getBigDecimal(4));
                    if ("ticket_resolved".equals(kind)) {
                        tickets.add(new Shipped.Ticket(rs.getString(6), cost, rs.getBoolean(5)));
                        continue;
                    }
                    String reverts = rs.getString(7) == null || rs.getObject(8) == null
                            ? null
                            : rs.getString(7) + "#" + rs.getInt(8);
                    prs.add(new Shipped.PullRequest(rs.getString(2), rs.getObject(3, Integer.class),
                            kind.substring(3), cost, rs.getBoolean(5), reverts));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("shipped query failed", e);
        }
        return new Shipped(team, week, monday, monday.plusDays(6), prs, tickets);
    }

    /** The AI costs of a team's pull requests merged in {@code from..to} (not reverts): how many, and the known ones. */
    public Shipped.PrCosts mergedPrCosts(String team, Instant from, Instant to) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select ai_cost_usd from outcome_event
                where team_key = ? and time >= ? and time < ? and void_id is null and kind = 'pr_merged'
                """)) {
            ps.setString(1, team);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            long merged = 0;
            List<BigDecimal> known = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    merged++;
                    BigDecimal cost = rs.getBigDecimal(1);
                    if (cost != null) {
                        known.add(money(cost));
                    }
                }
            }
            return new Shipped.PrCosts(merged, known);
        } catch (SQLException e) {
            throw new IllegalStateException("pull request cost query failed", e);
        }
    }

    /**
     * A pull request of a member's own, with its AI cost; for that member's eyes only.
     *
     * @param aiCostUsd null when no session was linked to it
     */
    public record OwnPullRequest(String repository, Integer number, String title, BigDecimal aiCostUsd) {
    }

    /**
     * The member's own pull requests merged in {@code from..to} that have a known AI cost, newest first, at most
     * {@code limit}. Callers must deliver the result privately to the member.
     */
    public List<OwnPullRequest> ownPullRequests(long memberId, Instant from, Instant to, int limit) {
        List<OwnPullRequest> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select repository, number, title, ai_cost_usd from outcome_event
                where member_id = ? and time >= ? and time < ? and void_id is null and kind = 'pr_merged'
                    and ai_cost_usd is not null
                order by time desc, id limit ?
                """)) {
            ps.setLong(1, memberId);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OwnPullRequest(rs.getString(1), rs.getObject(2, Integer.class), rs.getString(3),
                            money(rs.getBigDecimal(4))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("own pull request query failed", e);
        }
        return out;
    }

    private static BigDecimal money(BigDecimal v) {
        return v == null ? null : v.setScale(6, RoundingMode.HALF_UP);
    }
}
