package dev.yardstick.digest;

import dev.yardstick.admin.Team;
import dev.yardstick.budget.Weeks;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import dev.yardstick.jobs.ClusterJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * Sends each team's digest for the week just ended once its {@code digestDay}/{@code digestTime}
 * has passed in its timezone. A cluster job (every minute, on one replica at a time); the digest
 * service also queues a team-week only once, whoever gets there first.
 */
@ApplicationScoped
public class DigestScheduler implements ClusterJob {

    private static final Logger LOG = Logger.getLogger(DigestScheduler.class);

    @Inject
    DigestConfig digestSettings;
    @Inject
    DigestService digests;

    private final ExecutorService composers = Executors.newFixedThreadPool(
            Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), r -> {
                Thread t = new Thread(r, "digest-compose");
                t.setDaemon(true);
                return t;
            });

    @Override
    public String name() {
        return "digest";
    }

    @Override
    public Duration every() {
        return digestSettings.every();
    }

    @Override
    public boolean enabled() {
        return digestSettings.enabled();
    }

    @Override
    public void run() {
        runDue(Instant.now());
    }

    /** Sends the digests due at {@code now}; returns how many teams were handled. */
    public int runDue(Instant now) {
        return runDue(now, QuarkusTransaction.requiringNew().call(() -> Team.<Team>list("deletedAt is null")));
    }

    /**
     * Queues the digests of these teams that are due at {@code now}, composing them on one worker per
     * core (charts are CPU work); returns how many this call queued.
     */
    public int runDue(Instant now, List<Team> teams) {
        List<Callable<Boolean>> due = new ArrayList<>();
        for (Team team : teams) {
            LocalDate thisMonday = Weeks.start(now, team.zone());
            Instant at = thisMonday.plusDays(DayOfWeek.valueOf(team.digestDay).getValue() - 1L)
                    .atTime(LocalTime.parse(team.digestTime)).atZone(team.zone()).toInstant();
            if (now.isBefore(at)) {
                continue;
            }
            LocalDate week = thisMonday.minusWeeks(1);
            due.add(() -> {
                try {
                    return digests.queue(team, week);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Digest of team %s for %s failed", team.key, DigestService.isoWeek(week));
                    return false;
                }
            });
        }
        int queued = 0;
        try {
            for (Future<Boolean> f : composers.invokeAll(due)) {
                queued += Boolean.TRUE.equals(f.get()) ? 1 : 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return queued;
    }

    void stop(@Observes ShutdownEvent event) {
        composers.shutdownNow();
    }
}
