package dev.yardstick.limits;

import dev.yardstick.budget.BudgetService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Sends the queued cap writes ({@code limit_write}), like the outbox: claims due rows with
 * {@code FOR UPDATE SKIP LOCKED} under a lease, one in flight per target and only its newest version, so several
 * replicas write each cap once and never a stale one over a newer; retries 408, 429, 5xx and unreachable vendors
 * after their {@code Retry-After}, else with backoff, up to {@value #MAX_ATTEMPTS} attempts.
 */
@ApplicationScoped
public class LimitWriter {

    private static final Logger LOG = Logger.getLogger(LimitWriter.class);
    static final int MAX_ATTEMPTS = 8;
    /** The first wait after a failure; doubles each time, up to {@link #MAX_BACKOFF}. */
    static final Duration BACKOFF = Duration.ofSeconds(15);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(30);
    /** How long a claimed write is held: longer than a request may take. */
    static final Duration LEASE = Duration.ofMinutes(2);

    @Inject
    DataSource dataSource;
    @Inject
    Limits limits;
    @Inject
    BudgetService budgets;

    /** A claimed write. */
    record Row(long id, String teamKey, String source, String target, long version, BigDecimal amount, int attempts,
            boolean first) {
    }

    @Scheduled(every = "${yardstick.limits.write-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        drain();
    }

    /** Sends every write that is due now; returns how many were sent (successfully or not). */
    public int drain() {
        int done = 0;
        for (int rounds = 0; rounds < 1000; rounds++) {
            List<Row> claimed = claim();
            if (claimed.isEmpty()) {
                return done;
            }
            for (Row row : claimed) {
                send(row);
                done++;
            }
        }
        return done;
    }

    List<Row> claim() {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Row> rows = new ArrayList<>();
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            """
                                    with due as (
                                        select w.id from limit_write w
                                        join team_limit l on l.source = w.source and l.target = w.target
                                        where ((w.status = 'pending' and w.next_attempt_at <= now())
                                               or (w.status = 'sending' and w.lease_until < now()))
                                          and w.version = l.version
                                          and not exists (select 1 from limit_write s where s.source = w.source and s.target = w.target
                                                          and s.id <> w.id and s.status = 'sending' and s.lease_until >= now())
                                        order by w.id limit 4
                                        for update of w, l skip locked)
                                    update limit_write w set status = 'sending', attempts = w.attempts + 1,
                                        lease_until = now() + make_interval(secs => ?)
                                    from due, team_limit l
                                    where w.id = due.id and l.source = w.source and l.target = w.target
                                    returning w.id, w.team_key, w.source, w.target, w.version, w.amount_usd, w.attempts, not l.duration_set
                                    """)) {
                ps.setDouble(1, LEASE.toSeconds());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getLong(5), rs.getBigDecimal(6), rs.getInt(7), rs.getBoolean(8)));
                    }
                }
            }
            return rows;
        });
    }

    private void send(Row row) {
        CapSource source = limits.source(row.source());
        try {
            source.write(row.target(), row.amount(), row.first());
            applied(row);
        } catch (CapException e) {
            if (e.retryable() && row.attempts() < MAX_ATTEMPTS) {
                Duration wait = e.retryAfter() != null ? e.retryAfter() : backoff(row.attempts());
                LOG.infof("%s cap %s: %s; retrying in %d s", source.label(), row.target(), e.getMessage(),
                        wait.toSeconds());
                failed(row, "pending", e.getMessage() + "; retrying", wait);
            } else {
                LOG.warnf("%s cap %s: %s; giving up", source.label(), row.target(), e.getMessage());
                failed(row, "failed", e.getMessage(), Duration.ZERO);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s cap %s could not be written", source.label(), row.target());
            failed(row, "failed", source.label() + ": " + e.getClass().getSimpleName(), Duration.ZERO);
        }
        settled(row);
    }

    /** Tells the budget feature, which shows approvals where they took effect; its failure never stops writing. */
    private void settled(Row row) {
        try {
            budgets.capsChanged(row.teamKey(), row.id() + "-" + row.attempts());
        } catch (RuntimeException e) {
            LOG.warnf(e, "The approvals of team %s could not be updated with their caps", row.teamKey());
        }
    }

    static Duration backoff(int attempts) {
        Duration d = BACKOFF.multipliedBy(1L << Math.min(attempts - 1, 16));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private void applied(Row row) {
        QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                update(c, "update limit_write set status = 'done', done_at = now(), last_error = null "
                        + "where id = ? and status = 'sending'", row.id());
                try (PreparedStatement ps = c.prepareStatement("""
                        update team_limit set applied_usd = ?, reported_usd = ?, applied_version = ?,
                            applied_at = now(), last_error = null, duration_set = true,
                            status = case when version = ? then 'in_step' else status end
                        where source = ? and target = ? and applied_version < ?
                        """)) {
                    ps.setBigDecimal(1, row.amount());
                    ps.setBigDecimal(2, row.amount());
                    ps.setLong(3, row.version());
                    ps.setLong(4, row.version());
                    ps.setString(5, row.source());
                    ps.setString(6, row.target());
                    ps.setLong(7, row.version());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private void failed(Row row, String status, String error, Duration wait) {
        String message = error.length() > 1000 ? error.substring(0, 1000) : error;
        QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        update limit_write set status = ?, last_error = ?, lease_until = null,
                            next_attempt_at = now() + make_interval(secs => ?),
                            done_at = case when ? = 'failed' then now() end
                        where id = ? and status = 'sending'
                        """)) {
                    ps.setString(1, status);
                    ps.setString(2, message);
                    ps.setDouble(3, wait.toMillis() / 1000.0);
                    ps.setString(4, status);
                    ps.setLong(5, row.id());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        """
                                update team_limit set last_error = ?, status = case when ? = 'failed' then 'failed' else status end
                                where source = ? and target = ? and version = ?
                                """)) {
                    ps.setString(1, message);
                    ps.setString(2, status);
                    ps.setString(3, row.source());
                    ps.setString(4, row.target());
                    ps.setLong(5, row.version());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static void update(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }
}
