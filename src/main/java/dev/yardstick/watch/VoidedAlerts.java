package dev.yardstick.watch;

import dev.yardstick.ledger.LiveUsage;
import dev.yardstick.ledger.VoidListener;
import dev.yardstick.ledger.VoidedUsage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Closes the open alerts that voided usage alone raised, right after the void commits (docs/alerts.md, "Voided
 * usage"):
 *
 * <ul>
 * <li>a runaway alert raised in the last 24 hours on a session whose live figures the void changed, when the
 * session's figures without the voided usage, up to the moment the alert was raised, cross none of the team's lines
 * (the detector's own rule, run again);</li>
 * <li>a budget alert of a budget week the void changed, when the week's spend as it now stands no longer crosses the
 * alert's line.</li>
 * </ul>
 */
@ApplicationScoped
public class VoidedAlerts implements VoidListener {

    private static final Logger LOG = Logger.getLogger(VoidedAlerts.class);

    @Inject
    AlertsConfig alertSettings;
    @Inject
    RunawayDetector detector;
    @Inject
    RunawayAlerts runaway;
    @Inject
    BudgetAlerts budgets;

    @Override
    public void voided(VoidedUsage voided) {
        if (!alertSettings.enabled()) {
            return;
        }
        Instant since = Instant.now().minus(LiveUsage.WINDOW);
        for (LiveUsage.Session s : voided.sessions()) {
            List<Alert> alerts = QuarkusTransaction.requiringNew().call(() -> Alert.list(
                    "kind = ?1 and memberId = ?2 and sessionKey = ?3 and createdAt >= ?4 and status in ('open', 'snoozed')",
                    Alert.RUNAWAY, s.memberId(), s.sessionKey(), since));
            for (Alert a : alerts) {
                RunawayDetector.Thresholds t = detector.thresholds(List.of(a.teamKey))
                        .getOrDefault(a.teamKey, RunawayDetector.Thresholds.DEFAULT);
                if (runaway.closeVoided(a.id, () -> !detector.wouldFlag(a.memberId, a.sessionKey, t, a.createdAt))) {
                    LOG.infof("Runaway alert %d closed: void %d took out the usage that raised it", a.id,
                            voided.voidId());
                }
            }
        }
        for (Map.Entry<String, java.util.Set<java.time.LocalDate>> e : voided.days().entrySet()) {
            budgets.closeVoided(e.getKey(), e.getValue());
        }
    }
}
