package dev.yardstick.jobs;

import java.time.Duration;

/**
 * Periodic work that must run once per period across all replicas sharing one database (purges,
 * expiries, digests, pullers). Implementations are CDI beans; {@link ClusterJobs} finds and runs them.
 */
public interface ClusterJob {

    /** A stable name: the job's row in {@code cluster_job} and its metric tag. */
    String name();

    /** How often the job runs, across all replicas together. */
    Duration every();

    /**
     * How long the job is held without a renewal: the running replica renews it every third of this
     * for as long as the run takes, and a replica that dies mid-run releases it when the lease ends.
     */
    default Duration lease() {
        return Duration.ofMinutes(10);
    }

    /** Whether the job should run at all (for example switched off by a setting). */
    default boolean enabled() {
        return true;
    }

    /** One run. Exceptions are logged and recorded as the job's last error. */
    void run();
}
