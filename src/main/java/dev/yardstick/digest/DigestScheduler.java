package dev.yardstick.digest;

import dev.yardstick.YardstickConfig;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.Weeks;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.yardstick.jobs.ClusterJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
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
    DigestService digests;
    @Inject
    YardstickConfig config;

    @Override
    public String name() {
        return "digest";
    }

    @Override
    public Duration every() {
        return config.digest().every();
    }

    @Override
    public boolean enabled() {
        return config.digest().enabled();
    }

    @Override
    public void run() {
        runDue(Instant.now());
    }

    /** Sends the digests due at {@code now}; returns how many teams were handled. */
    public int runDue(Instant now) {
        return runDue(now, QuarkusTransaction.requiringNew().call(() -> Team.<Team>listAll()));
    }

    /** Sends the digests of these teams that are due at {@code now}. */
    public int runDue(Instant now, List<Team> teams) {
        int handled = 0;
        for (Team team : teams) {
            LocalDate thisMonday = Weeks.start(now, team.zone());
            Instant due = thisMonday.plusDays(DayOfWeek.valueOf(team.digestDay).getValue() - 1L)
                    .atTime(LocalTime.parse(team.digestTime)).atZone(team.zone()).toInstant();
            if (now.isBefore(due)) {
                continue;
            }
            LocalDate week = thisMonday.minusWeeks(1);
            if (digests.status(DigestService.key(team.key, week)) != null) {
                continue;
            }
            try {
                digests.queue(team, week);
                handled++;
            } catch (RuntimeException e) {
                LOG.errorf(e, "Digest of team %s for %s failed", team.key, DigestService.isoWeek(week));
            }
        }
        return handled;
    }
}
