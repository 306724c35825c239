package dev.yardstick.watch;

import dev.yardstick.jobs.ClusterJob;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeSet;

/**
 * Once a minute across replicas: checks every shared session (see {@link Watcher}) active in the last
 * {@link #LOOK_BACK}, and the budget of every team with a budget and usage since yesterday. Catches
 * sessions that keep going through the night between ingests of other sessions, and checks a replica
 * lost by stopping right after an ingest.
 */
@ApplicationScoped
public class AlertSweepJob implements ClusterJob {

    /** How far back the sweep looks for active sessions. */
    static final Duration LOOK_BACK = Duration.ofMinutes(20);

    @Inject
    AlertsConfig alertSettings;
    @Inject
    RunawayDetector detector;
    @Inject
    Watcher watcher;
    @Inject
    EntityManager em;

    @Override
    public String name() {
        return "alert-sweep";
    }

    @Override
    public Duration every() {
        return alertSettings.sweepEvery();
    }

    @Override
    public Duration lease() {
        return Duration.ofMinutes(5);
    }

    @Override
    public boolean enabled() {
        return alertSettings.enabled();
    }

    @Override
    public void run() {
        Instant now = Instant.now();
        @SuppressWarnings("unchecked")
        List<String> teams = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select t.key from team t where t.weekly_budget_usd is not null and exists (select 1 from"
                        + " usage_team_daily_all d where d.team_key = t.key and d.day >= cast(?1 as date))")
                .setParameter(1, LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(1))
                .getResultList());
        watcher.check(detector.activeSince(now.minus(LOOK_BACK)), new TreeSet<>(teams), true);
    }
}
