package dev.yardstick.watch;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** What the alerts recorded, for the alert API and the weekly digest (no names). */
@ApplicationScoped
public class AlertRecords {

    @Inject
    EntityManager em;

    /** A team's alerts raised at or after {@code since}, newest first. */
    public List<Alert> ofTeam(String teamKey, Instant since) {
        return Alert.list("teamKey = ?1 and createdAt >= ?2 order by createdAt desc, id desc", teamKey, since);
    }

    /**
     * Runaway alerts of a team raised in {@code [from, to)}, except those closed by a void: how many and the
     * dollars their sessions spent (for the weekly digest; no names).
     */
    public RunawayWeek runawayTotals(String teamKey, Instant from, Instant to) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            Object[] row = (Object[]) em.createNativeQuery("""
                    select count(*), coalesce(sum(amount_usd), 0) from alert
                    where kind = 'runaway' and team_key = ?1 and created_at >= ?2 and created_at < ?3
                        and status <> 'voided'
                    """).setParameter(1, teamKey).setParameter(2, from).setParameter(3, to).getSingleResult();
            return new RunawayWeek(((Number) row[0]).longValue(), (BigDecimal) row[1]);
        });
    }

    /** How many runaway alerts a team had in a period, and what their sessions spent. */
    public record RunawayWeek(long alerts, BigDecimal costUsd) {
    }

    /** Counts an alert raised or sent in the metrics ({@code yardstick.alerts}; Prometheus {@code yardstick_alerts_total}). */
    static void count(MeterRegistry registry, String kind, String result) {
        registry.counter("yardstick.alerts", "kind", kind, "result", result).increment();
    }
}
