package dev.yardstick.budget;

import dev.yardstick.admin.EffectiveBudget;
import dev.yardstick.admin.Team;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import javax.sql.DataSource;

/** The effective weekly budget: the team's budget plus the one-week increases approved for that week. */
@ApplicationScoped
public class Budgets implements EffectiveBudget {

    @Inject
    DataSource dataSource;

    @Override
    public BigDecimal at(Team team, Instant now) {
        return effective(team.key, Weeks.start(now, team.zone()));
    }

    /** The team's effective budget for the week starting {@code weekStart}; null when it has none. */
    public BigDecimal effective(String teamKey, LocalDate weekStart) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select t.weekly_budget_usd,
                       (select coalesce(sum(amount_usd), 0) from budget_increase i
                        where i.team_key = t.key and i.week_start = ?)
                from team t where t.key = ?
                """)) {
            ps.setDate(1, Date.valueOf(weekStart));
            ps.setString(2, teamKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                BigDecimal base = rs.getBigDecimal(1);
                BigDecimal extra = rs.getBigDecimal(2);
                if (base == null && extra.signum() == 0) {
                    return null;
                }
                return (base == null ? BigDecimal.ZERO : base).add(extra);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
