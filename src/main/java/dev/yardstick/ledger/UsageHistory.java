package dev.yardstick.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import javax.sql.DataSource;

/**
 * A person's and their team's recent history with one tool and model, from the daily rollups, for runaway
 * detection's baselines ({@code watch}): how much the person spent on their busiest day, on how many days they used
 * it at all, and the 99th percentile of the team's member-days. The ledger keeps no finer history beyond two days,
 * and a 15-minute window never holds more than its day, so "more in 15 minutes than on any day of the last four
 * weeks" is far above anything the person usually does.
 */
@ApplicationScoped
public class UsageHistory {

    /**
     * One person's history with a tool and model.
     *
     * @param busiestDayUsd    the person's largest daily spend
     * @param days             the days the person used it
     * @param teamDayP99Usd    the 99th percentile of the team's member-days (every member's daily spend)
     */
    public record Baseline(BigDecimal busiestDayUsd, int days, BigDecimal teamDayP99Usd) {
    }

    @Inject
    DataSource dataSource;

    /** The history of days {@code from} to {@code until} (both included) in the team's rollups. */
    public Baseline baseline(long memberId, String teamKey, String tool, String model, LocalDate from,
            LocalDate until) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                with d as (
                    select member_id, day, sum(cost_usd) as c from usage_daily_all
                    where team_key = ? and tool = ? and model = ? and day between ? and ?
                    group by member_id, day)
                select coalesce(max(c) filter (where member_id = ?), 0), count(*) filter (where member_id = ?),
                       coalesce(percentile_cont(0.99) within group (order by c), 0)
                from d
                """)) {
            ps.setString(1, teamKey);
            ps.setString(2, tool);
            ps.setString(3, model);
            ps.setDate(4, Date.valueOf(from));
            ps.setDate(5, Date.valueOf(until));
            ps.setLong(6, memberId);
            ps.setLong(7, memberId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Baseline(rs.getBigDecimal(1), rs.getInt(2), BigDecimal.valueOf(rs.getDouble(3)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading usage history failed", e);
        }
    }
}
