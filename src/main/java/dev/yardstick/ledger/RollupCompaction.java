package dev.yardstick.ledger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import javax.sql.DataSource;

/**
 * Folds a past day's rollup shards into one row per key (shard 0): {@code usage_daily}, {@code usage_team_daily} and
 * {@code outcome_daily}. Ingest stripes a key over {@value UsageRollups#SHARDS} rows so that concurrent batches
 * rarely wait for each other; once a day is past the late-event window ({@value #LATE_DAYS} days) that striping
 * only costs readers and disk. Each table's day is folded in one statement (delete the other shards, add their sums
 * to shard 0), so a reader sees the day before or after, never half of it; an event arriving later still adds to a
 * random shard, which the next run folds again. A day's rows are found per team through the rollups' primary keys, its teams through the partial
 * indexes of the shard rows.
 */
@ApplicationScoped
public class RollupCompaction {

    /** Days after which a day counts as settled (team days, so a day more than the UTC date). */
    public static final int LATE_DAYS = 2;

    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    /**
     * Compacts every settled day before {@code today} (UTC) that still has shard rows, found through the partial
     * indexes of {@code V26__rollup_compaction.sql} (a database upgraded from before compaction has its whole
     * history folded by the first run, a day at a time); returns the shard rows folded.
     */
    public long compactSettled(LocalDate today) {
        java.util.List<LocalDate> days = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select day from usage_team_daily where shard <> 0 and day <= ?
                        union select day from outcome_daily where shard <> 0 and day <= ? order by 1
                        """)) {
            ps.setObject(1, today.minusDays(LATE_DAYS + 1));
            ps.setObject(2, today.minusDays(LATE_DAYS + 1));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    days.add(rs.getObject(1, LocalDate.class));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("finding the days to compact failed", e);
        }
        long folded = 0;
        for (LocalDate d : days) {
            folded += compact(d);
        }
        return folded;
    }

    /** Folds one day's shards of every team into shard 0; returns the shard rows folded. */
    public long compact(LocalDate day) {
        long folded = BatchSql.withRetry(() -> QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return fold(c, "usage_daily", "team_key, day, member_id, tool, model",
                        UsageRollups.COLUMNS, "(team_key, day, member_id, tool, model, shard)", day)
                        + fold(c, "usage_team_daily", "team_key, day, tool, model", UsageRollups.COLUMNS,
                                "(team_key, day, tool, model, shard)", day)
                        + fold(c, "outcome_daily", "team_key, day, member_id, kind",
                                new String[]{"outcomes", "ai_assisted"}, "on constraint outcome_daily_key", day);
            }
        }));
        if (folded > 0) {
            registry.counter("yardstick.ledger.rollups.compacted").increment(folded);
        }
        return folded;
    }

    private static long fold(Connection c, String table, String keys, String[] sums, String conflict, LocalDate day)
            throws SQLException {
        boolean cost = !table.equals("outcome_daily");
        StringBuilder sumList = new StringBuilder();
        StringBuilder update = new StringBuilder();
        for (String s : sums) {
            sumList.append(", sum(").append(s).append(")");
            update.append(update.isEmpty() ? "" : ", ").append(s).append(" = d.").append(s).append(" + excluded.")
                    .append(s);
        }
        if (cost) {
            sumList.append(", sum(cost_usd)");
            update.append(", cost_usd = d.cost_usd + excluded.cost_usd");
        }
        String columns = keys + ", " + String.join(", ", sums) + (cost ? ", cost_usd" : "");
        // the teams with shard rows that day, from the partial index (a usage_daily shard row always comes with a
        // usage_team_daily one: a batch writes both with the same shard, and this folds usage_daily first)
        String teams = "(select distinct team_key from " + (cost ? "usage_team_daily" : "outcome_daily")
                + " where day = ? and shard <> 0)";
        String sql = "with gone as (delete from " + table + " where team_key in " + teams
                + " and day = ? and shard <> 0 returning *), "
                + "folded as (insert into " + table + " as d (" + columns + ", shard) select " + keys + sumList
                + ", 0 from gone group by " + keys + " order by " + keys + " on conflict "
                + conflict + " do update set " + update
                + " returning 1) select (select count(*) from gone)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, day);
            ps.setObject(2, day);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
