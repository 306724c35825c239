package dev.yardstick.watch;

import dev.yardstick.ledger.StatePurge;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/** Runaway detection's per-minute session figures, shared sessions and replica registry: kept two days. */
@ApplicationScoped
public class WatchPurge implements StatePurge {

    /** How long the watch keeps its figures. */
    static final Duration KEPT = Duration.ofDays(2);

    @Inject
    DataSource dataSource;

    @Override
    public void purge(Instant rawCutoff) {
        Timestamp cutoff = Timestamp.from(Instant.now().minus(KEPT));
        try (Connection c = dataSource.getConnection();
                PreparedStatement minutes = c.prepareStatement("delete from usage_session_minute where minute < ?");
                PreparedStatement shared = c.prepareStatement("delete from watch_session where created_at < ?");
                PreparedStatement replicas = c.prepareStatement("delete from watch_replica where seen_at < ?")) {
            for (PreparedStatement ps : new PreparedStatement[]{minutes, shared, replicas}) {
                ps.setTimestamp(1, cutoff);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("watch purge failed", e);
        }
    }
}
