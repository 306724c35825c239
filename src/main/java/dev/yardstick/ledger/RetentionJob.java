package dev.yardstick.ledger;

import dev.yardstick.YardstickConfig;
import dev.yardstick.jobs.ClusterJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Deletes raw events whose time is older than {@code YARDSTICK_RAW_RETENTION_DAYS}; rollups stay. Then each
 * feature purges the state it keeps beside the ledger ({@link StatePurge}), from its own tables.
 * The ingest API refuses events older than the same window, so an id is never accepted twice.
 * Deletes run in chunks so they never hold long locks. Runs once per period across replicas.
 */
@ApplicationScoped
public class RetentionJob implements ClusterJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    private static final int CHUNK = 10_000;

    @Inject
    DataSource dataSource;
    @Inject
    YardstickConfig config;
    @Inject
    Instance<StatePurge> purges;

    @Override
    public String name() {
        return "retention";
    }

    @Override
    public Duration every() {
        return config.jobs().retentionEvery();
    }

    @Override
    public void run() {
        purge(Instant.now().minus(config.rawRetentionDays(), ChronoUnit.DAYS));
    }

    /** Deletes raw events older than {@code cutoff}; returns how many. */
    public long purge(Instant cutoff) {
        long total = 0;
        for (String table : new String[]{"usage_event", "outcome_event"}) {
            int deleted;
            do {
                deleted = deleteChunk(table, cutoff);
                total += deleted;
            } while (deleted == CHUNK);
        }
        if (total > 0) {
            LOG.infof("Purged %d raw events older than %s", total, cutoff);
        }
        for (StatePurge p : purges) {
            p.purge(cutoff);
        }
        return total;
    }

    private int deleteChunk(String table, Instant cutoff) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from " + table
                        + " where ctid = any(array(select ctid from " + table + " where time < ? limit " + CHUNK
                        + "))")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("retention purge failed", e);
        }
    }
}
