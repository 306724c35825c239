package dev.yardstick.jobs;

import dev.yardstick.YardstickConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs every {@link ClusterJob} once per period across all replicas on one database.
 *
 * <p>Each job has a row in {@code cluster_job}. On every tick ({@code YARDSTICK_JOBS_TICK}) a replica
 * tries to claim each due job with one conditional {@code UPDATE}: the job's next run is due and no
 * replica holds its lease. PostgreSQL's row lock lets exactly one replica win; the winner runs the
 * job and then moves its next run one period on from the start. While the job runs, the replica
 * renews its lease every third of the lease ({@link ClusterJob#lease()}), so a run slower than its
 * lease is never started again elsewhere; a replica that dies mid-run stops renewing and leaves the
 * lease to expire, after which another replica runs the job. No extra tables or threads per job
 * beyond one worker each (and one shared thread for the renewals), so a slow job (a puller) never
 * delays the others.
 */
@ApplicationScoped
public class ClusterJobs {

    private static final Logger LOG = Logger.getLogger(ClusterJobs.class);

    /** One job's state, as {@code GET /api/v1/jobs} shows it. */
    public record State(String name, Instant nextRunAt, String lockedBy, Instant lockedUntil, long runs,
            Instant lastStartedAt, Instant lastFinishedAt, String lastError) {
    }

    @Inject
    DataSource dataSource;
    @Inject
    Instance<ClusterJob> jobs;
    @Inject
    YardstickConfig config;
    @Inject
    MeterRegistry registry;

    /** This replica, as {@code locked_by} names it. */
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/"
            + UUID.randomUUID().toString().substring(0, 8);
    private final Set<String> runningHere = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cluster-job");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-job-lease");
        t.setDaemon(true);
        return t;
    });

    @Scheduled(every = "${yardstick.jobs.tick}", delayed = "${yardstick.jobs.first-delay}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.jobs().enabled()) {
            return;
        }
        for (ClusterJob job : jobs) {
            if (job.enabled() && runningHere.add(job.name())) {
                workers.submit(() -> {
                    try {
                        runIfDue(job);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "Job %s could not be scheduled", job.name());
                    } finally {
                        runningHere.remove(job.name());
                    }
                });
            }
        }
    }

    /**
     * Runs the job here if it is due and no other replica holds it. Returns whether it ran here.
     */
    public boolean runIfDue(ClusterJob job) {
        if (!claim(job.name(), job.lease())) {
            return false;
        }
        String error = null;
        long start = System.nanoTime();
        long every = Math.max(100, job.lease().toMillis() / 3);
        ScheduledFuture<?> renewal = renewals.scheduleWithFixedDelay(() -> renew(job.name(), job.lease()), every,
                every, TimeUnit.MILLISECONDS);
        try {
            job.run();
        } catch (RuntimeException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            LOG.errorf(e, "Job %s failed", job.name());
        } finally {
            renewal.cancel(false);
        }
        finish(job.name(), job.every(), error);
        registry.timer("yardstick.jobs.runs", "job", job.name(), "result", error == null ? "ok" : "failed")
                .record(Duration.ofNanos(System.nanoTime() - start));
        return true;
    }

    /** Makes a job due now (for operators and tests); it runs at the next tick of some replica. */
    public void makeDue(String name) {
        execute("insert into cluster_job (name) values (?) on conflict (name) do update set next_run_at = now()",
                name);
    }

    /** Every job's state, by name. */
    public List<State> states() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select name, next_run_at, locked_by, locked_until, runs, last_started_at, last_finished_at, last_error
                from cluster_job order by name
                """); ResultSet rs = ps.executeQuery()) {
            List<State> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new State(rs.getString(1), instant(rs.getTimestamp(2)), rs.getString(3),
                        instant(rs.getTimestamp(4)), rs.getLong(5), instant(rs.getTimestamp(6)),
                        instant(rs.getTimestamp(7)), rs.getString(8)));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cluster_job query failed", e);
        }
    }

    private boolean claim(String name, Duration lease) {
        execute("insert into cluster_job (name) values (?) on conflict (name) do nothing", name);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update cluster_job set locked_until = now() + make_interval(secs => ?), locked_by = ?,
                    last_started_at = now(), runs = runs + 1
                where name = ? and next_run_at <= now() and (locked_until is null or locked_until < now())
                """)) {
            ps.setDouble(1, lease.toMillis() / 1000.0);
            ps.setString(2, owner);
            ps.setString(3, name);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("claiming job " + name + " failed", e);
        }
    }

    /** Extends this replica's lease of a running job; logs (and keeps trying) when it cannot. */
    private void renew(String name, Duration lease) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update cluster_job set locked_until = now() + make_interval(secs => ?)
                where name = ? and locked_by = ?
                """)) {
            ps.setDouble(1, lease.toMillis() / 1000.0);
            ps.setString(2, name);
            ps.setString(3, owner);
            if (ps.executeUpdate() == 0) {
                LOG.warnf("Job %s is still running here but its lease was taken over", name);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Could not renew the lease of job %s: %s", name, e.toString());
        }
    }

    private void finish(String name, Duration every, String error) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update cluster_job set next_run_at = last_started_at + make_interval(secs => ?),
                    locked_until = null, locked_by = null, last_finished_at = now(), last_error = ?
                where name = ? and locked_by = ?
                """)) {
            ps.setDouble(1, every.toMillis() / 1000.0);
            ps.setString(2, error == null ? null : error.substring(0, Math.min(error.length(), 1000)));
            ps.setString(3, name);
            ps.setString(4, owner);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.errorf(e, "Job %s ran but its state could not be saved; it runs again when its lease ends", name);
        }
    }

    private void execute(String sql, String name) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cluster_job update failed", e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    void stop(@Observes ShutdownEvent event) {
        workers.shutdownNow();
        renewals.shutdownNow();
    }
}
