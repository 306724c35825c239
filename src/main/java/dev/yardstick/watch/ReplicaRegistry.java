package dev.yardstick.watch;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The replicas watching usage ({@code watch_replica}): this replica says it is alive every
 * {@link #HEARTBEAT} and counts the live ones, so {@link Watcher} divides a team's lines by their number.
 */
@ApplicationScoped
class ReplicaRegistry {

    private static final Logger LOG = Logger.getLogger(ReplicaRegistry.class);
    /** How often a replica says it is alive, counts the others and looks for newly shared sessions. */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /** A replica not heard of in this long no longer counts. */
    static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(35);

    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    private final String replicaId = UUID.randomUUID().toString();
    private volatile int replicas = 1;

    /** Registers {@code yardstick.watch.replicas} (Prometheus {@code yardstick_watch_replicas}). */
    void registerGauge() {
        Gauge.builder("yardstick.watch.replicas", () -> replicas)
                .description("Replicas watching usage for runaway sessions, as this replica counts them")
                .register(registry);
    }

    /** The live replicas as last counted, at least 1. */
    int live() {
        return replicas;
    }

    /** Says this replica is alive and counts the live ones; returns the database's time of it. */
    Instant heartbeat() throws SQLException {
        Instant dbNow;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into watch_replica (id, seen_at) values (?, now())
                    on conflict (id) do update set seen_at = now()
                    returning seen_at
                    """)) {
                ps.setString(1, replicaId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    dbNow = rs.getTimestamp(1).toInstant(); // polls compare the database's clock only
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "select count(*) from watch_replica where seen_at >= now() - ?::interval")) {
                ps.setString(1, REPLICA_TIMEOUT.toSeconds() + " seconds");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    replicas = Math.max(1, rs.getInt(1));
                }
            }
        }
        return dbNow;
    }

    /** Takes this replica out of the count (on a graceful stop). */
    void signOff() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from watch_replica where id = ?")) {
            ps.setString(1, replicaId);
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Could not sign off from watch_replica", e);
        }
    }
}
