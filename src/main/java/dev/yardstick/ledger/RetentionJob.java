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
 * Keeps the raw events within {@code YARDSTICK_RAW_RETENTION_DAYS}; rollups stay. Raw usage events: creates the day
 * partitions ahead and drops those wholly out of the window ({@link UsagePartitions}), no row deleted; raw outcome
 * events (far fewer) are deleted in chunks so they never hold long locks. Then folds the settled days' rollup shards
 * ({@link RollupCompaction}), and each feature purges the state it keeps beside the ledger ({@link StatePurge}),
 * from its own tables; last, closed months' id indexes are rebuilt full
 * ({@link UsagePartitions#repackClosedMonths}). The ingest API refuses events older than the window, so an id is never
 * accepted twice. Runs once per period across replicas.
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
    @Inject
    UsagePartitions partitions;
    @Inject
    RollupCompaction compaction;

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
        partitions.ensureWindow();
        purge(Instant.now().minus(config.rawRetentionDays(), ChronoUnit.DAYS));
        compaction.compactSettled(java.time.LocalDate.now(java.time.ZoneOffset.UTC));
        partitions.repackClosedMonths(java.time.LocalDate.now(java.time.ZoneOffset.UTC));
        partitions.repackSettledDays(java.time.LocalDate.now(java.time.ZoneOffset.UTC));
    }

    /**
     * Drops the raw usage partitions of the UTC days wholly before {@code cutoff} and deletes raw outcome events and
     * voided usage events older than it; returns how many raw events went (the usage partitions' count as the
     * planner estimates it).
     */
    public long purge(Instant cutoff) {
        long total = partitions.dropBefore(cutoff);
        int deleted;
        for (String table : new String[]{"outcome_event", "usage_event_voided"}) {
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
