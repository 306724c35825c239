package dev.yardstick.watch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * What people taught the watcher by answering "It's intended" ({@code runaway_intended}): per person, tool, model
 * and loop pattern, the highest 15-minute cost of a session they said was meant to run. A loop signature of the same
 * kind alerts them again only at {@link LoopSignals#INTENDED_FACTOR} times it (ceilings still alert). Kept in memory,
 * read again every {@link #REFRESH} (answers given on other replicas) and at once after an answer here.
 */
@ApplicationScoped
public class IntendedBaselines {

    private static final Logger LOG = Logger.getLogger(IntendedBaselines.class);
    /** How often the learned baselines are read again. */
    static final Duration REFRESH = Duration.ofMinutes(1);

    @Inject
    DataSource dataSource;

    private volatile Map<String, Double> levels = Map.of();
    private volatile Instant readAt = Instant.EPOCH;

    private static String key(long memberId, String tool, String model, String pattern) {
        return memberId + "\n" + tool + "\n" + model + "\n" + pattern;
    }

    /** The learned 15-minute cost for this kind of session, or 0 when nobody said such a session was intended. */
    double cost(long memberId, String tool, String model, String pattern) {
        if (readAt.isBefore(Instant.now().minus(REFRESH))) {
            reload();
        }
        return levels.getOrDefault(key(memberId, tool, model, pattern), 0.0);
    }

    private void reload() {
        Map<String, Double> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select member_id, tool, model, pattern, cost_15_usd from runaway_intended")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(key(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                            rs.getBigDecimal(5).doubleValue());
                }
            }
            levels = out;
        } catch (SQLException e) {
            LOG.warn("Reading learned runaway baselines failed; keeping the last ones", e);
        }
        readAt = Instant.now();
    }

    /**
     * Learns from an answer "It's intended" on this alert, in the caller's transaction: raises the person's baseline
     * for the alert's tool, model and pattern to the session's busiest 15 minutes so far (never lowers it).
     */
    void learn(Connection c, Alert a) throws SQLException {
        if (a.tool == null || a.model == null || a.reason == null || a.cost15Usd == null) {
            return;
        }
        BigDecimal peak = a.cost15Usd;
        try (PreparedStatement ps = c.prepareStatement(
                """
                        select coalesce(max(c15), 0) from (
                            select sum(cost) over (order by minute range between interval '14 minutes' preceding and current row)
                                   as c15
                            from (select minute, sum(cost_usd) as cost from usage_session_minute
                                  where member_id = ? and session_key = ? and minute >= ? group by minute) m) w
                        """)) {
            ps.setLong(1, a.memberId);
            ps.setString(2, a.sessionKey);
            ps.setTimestamp(3, Timestamp.from(Instant.now().minus(dev.yardstick.ledger.LiveUsage.WINDOW)));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    peak = peak.max(rs.getBigDecimal(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into runaway_intended (member_id, tool, model, pattern, cost_15_usd, updated_at)
                values (?, ?, ?, ?, ?, ?)
                on conflict (member_id, tool, model, pattern) do update
                set cost_15_usd = greatest(runaway_intended.cost_15_usd, excluded.cost_15_usd),
                    updated_at = excluded.updated_at
                """)) {
            ps.setLong(1, a.memberId);
            ps.setString(2, a.tool);
            ps.setString(3, a.model);
            ps.setString(4, a.reason);
            ps.setBigDecimal(5, peak.max(BigDecimal.ZERO).setScale(4, java.math.RoundingMode.HALF_UP));
            ps.setTimestamp(6, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
        readAt = Instant.EPOCH; // read again at the next check
    }
}
