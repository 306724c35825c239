package dev.yardstick.jobs;

import static dev.yardstick.Api.admin;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.YardstickConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ClusterJobsTest {

    @Inject
    DataSource ds;
    @Inject
    YardstickConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    ClusterJobs here;

    /** A second replica on the same database: its own owner id, the same table. */
    private ClusterJobs replica() {
        ClusterJobs other = new ClusterJobs();
        other.dataSource = ds;
        other.config = config;
        other.registry = registry;
        return other;
    }

    private static ClusterJob job(String name, Runnable work) {
        return new ClusterJob() {

            @Override
            public String name() {
                return name;
            }

            @Override
            public Duration every() {
                return Duration.ofHours(1);
            }

            @Override
            public void run() {
                work.run();
            }
        };
    }

    @Test
    void twoReplicasRacingForADueJobRunItOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ClusterJob job = job("race-" + Api.unique(), () -> {
            runs.incrementAndGet();
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> first = pool.submit(() -> here.runIfDue(job));
            assertTrue(started.await(30, TimeUnit.SECONDS));
            // while the first replica runs it, the second may not; nor may the first a second time
            assertFalse(replica().runIfDue(job));
            assertFalse(here.runIfDue(job));
            release.countDown();
            assertTrue(first.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        // done for this period, on every replica
        assertFalse(replica().runIfDue(job));
        assertFalse(here.runIfDue(job));
        assertEquals(1, runs.get());
        assertEquals(1, Db.scalar(ds, "select runs from cluster_job where name = ?", job.name()));
        // next period: one of them runs it again
        here.makeDue(job.name());
        assertTrue(replica().runIfDue(job));
        assertFalse(here.runIfDue(job));
        assertEquals(2, runs.get());
    }

    @Test
    void aJobSlowerThanItsLeaseRunsOnceWhileItsReplicaRenewsTheLease() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        String name = "slow-" + Api.unique();
        ClusterJob job = new ClusterJob() {

            @Override
            public String name() {
                return name;
            }

            @Override
            public Duration every() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration lease() {
                return Duration.ofSeconds(1);
            }

            @Override
            public void run() {
                runs.incrementAndGet();
                started.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ClusterJobs other = replica();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> first = pool.submit(() -> here.runIfDue(job));
            assertTrue(started.await(30, TimeUnit.SECONDS));
            // four leases long, the other replica (and this one) keep trying to start it
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            int tries = 0;
            while (System.nanoTime() < until) {
                assertFalse(other.runIfDue(job), "started again while still running, after " + tries + " tries");
                assertFalse(here.runIfDue(job));
                tries++;
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            assertTrue(tries > 10);
            assertEquals(1, Db.scalar(ds, """
                    select count(*) from cluster_job where name = ? and locked_until > now()
                        and last_started_at < now() - interval '3 seconds'
                    """, name), "the lease was renewed while the job ran");
            release.countDown();
            assertTrue(first.get(30, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertEquals(1, runs.get());
        assertEquals(1, Db.scalar(ds, "select runs from cluster_job where name = ?", name));
        assertEquals(null, Db.string(ds, "select locked_by from cluster_job where name = ?", name));
    }

    @Test
    void aJobHeldByADeadReplicaIsTakenOverWhenItsLeaseEnds() {
        AtomicInteger runs = new AtomicInteger();
        ClusterJob job = job("dead-" + Api.unique(), runs::incrementAndGet);
        Db.update(ds, """
                insert into cluster_job (name, next_run_at, locked_until, locked_by, runs)
                values (?, now() - interval '1 minute', now() + interval '1 hour', 'dead-replica', 1)
                """, job.name());
        assertFalse(here.runIfDue(job), "still leased to the dead replica");
        Db.update(ds, "update cluster_job set locked_until = now() - interval '1 second' where name = ?", job.name());
        assertTrue(here.runIfDue(job));
        assertEquals(1, runs.get());
        assertEquals(null, Db.string(ds, "select locked_by from cluster_job where name = ?", job.name()));
    }

    @Test
    void aFailingRunIsRecordedAndTheJobStaysScheduled() {
        ClusterJob job = job("fail-" + Api.unique(), () -> {
            throw new IllegalStateException("vendor API down");
        });
        assertTrue(here.runIfDue(job));
        assertEquals("IllegalStateException: vendor API down",
                Db.string(ds, "select last_error from cluster_job where name = ?", job.name()));
        assertEquals(1, Db.scalar(ds,
                "select count(*) from cluster_job where name = ? and next_run_at > now() + interval '59 minutes'",
                job.name()));
        admin().get("/api/v1/jobs").then().statusCode(200).body("name", hasItem(job.name()));
    }
}
