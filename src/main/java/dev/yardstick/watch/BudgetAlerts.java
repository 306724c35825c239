package dev.yardstick.watch;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.Budgets;
import dev.yardstick.budget.Weeks;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.ledger.LedgerQueries;
import dev.yardstick.ledger.Summary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Budget alerts: a team's managers hear once per week at 80 %, at 100 %, and when the current rate would exhaust
 * the budget before the week ends. Each rests on a unique index per team, kind and week, so replicas raise it once.
 */
@ApplicationScoped
public class BudgetAlerts {

    private static final Logger LOG = Logger.getLogger(BudgetAlerts.class);

    @Inject
    EntityManager em;
    @Inject
    Messenger messenger;
    @Inject
    LedgerQueries ledger;
    @Inject
    Budgets budgets;
    @Inject
    MeterRegistry registry;

    /**
     * Checks a team's spend in its current budget week against its effective budget and DMs its
     * managers once per week at 80%, at 100%, and when the current rate would exhaust the budget
     * before the week ends.
     */
    public void checkBudget(String teamKey, Instant now) {
        Exhausted done = exhausted.get(teamKey);
        if (done != null && done.weekStart().equals(Weeks.start(now, done.zone()))
                && done.budget().equals(budgets.effective(teamKey, done.weekStart()))) {
            return; // its 100% alert is out and the budget is unchanged: nothing more to say this week
        }
        Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(teamKey));
        if (team == null) {
            return;
        }
        LocalDate weekStart = Weeks.start(now, team.zone());
        BigDecimal budget = budgets.effective(teamKey, weekStart);
        if (budget == null || budget.signum() <= 0) {
            return;
        }
        Summary week = ledger.summary(teamKey, weekStart, LocalDate.ofInstant(now, team.zone()));
        BigDecimal spent = week.costUsd();
        double used = spent.doubleValue() / budget.doubleValue();
        ZonedDateTime start = weekStart.atStartOfDay(team.zone());
        Duration elapsed = Duration.between(start.toInstant(), now);
        Duration length = Duration.between(start.toInstant(), start.plusWeeks(1).toInstant());
        if (used >= 1.0) {
            raiseBudget(team, Alert.BUDGET_80, weekStart, week, budget, false);
            raiseBudget(team, Alert.BUDGET_100, weekStart, week, budget, true);
            exhausted.put(teamKey, new Exhausted(team.zone(), weekStart, budget));
        } else if (used >= 0.8) {
            raiseBudget(team, Alert.BUDGET_80, weekStart, week, budget, true);
        } else if (elapsed.compareTo(Duration.ofDays(1)) >= 0 && elapsed.compareTo(length) < 0
                && spent.doubleValue() * length.toSeconds() / elapsed.toSeconds() >= budget.doubleValue()) {
            raiseBudget(team, Alert.BUDGET_PACE, weekStart, week, budget, true);
        }
    }

    /**
     * A team whose budget week {@code weekStart} reached 100% of {@code budget}: this replica checks it
     * no more that week unless an approved increase changes the budget.
     */
    private record Exhausted(ZoneId zone, LocalDate weekStart, BigDecimal budget) {
    }

    private final Map<String, Exhausted> exhausted = new ConcurrentHashMap<>();

    private void raiseBudget(Team team, String kind, LocalDate weekStart, Summary week, BigDecimal budget,
            boolean tell) {
        QuarkusTransaction.requiringNew().run(() -> {
            List<?> ids = em.createNativeQuery("""
                    insert into alert (kind, team_key, amount_usd, week_start, status)
                    values (?1, ?2, ?3, ?4, 'open')
                    on conflict (team_key, kind, week_start) where kind <> 'runaway' do nothing
                    returning id
                    """).setParameter(1, kind).setParameter(2, team.key).setParameter(3, week.costUsd())
                    .setParameter(4, weekStart).getResultList();
            if (ids.isEmpty()) {
                return;
            }
            long id = ((Number) ids.get(0)).longValue();
            AlertRecords.count(registry, kind, tell ? "sent" : "silent");
            if (!tell) {
                return;
            }
            ChatMessage message = AlertMessages.budget(kind, team, week, budget, weekStart);
            int reached = 0;
            for (Member manager : team.managerMembers()) {
                if (messenger.directMessage(manager.id, MessageKey.of("alert", id, "manager", manager.id), message)) {
                    reached++;
                }
            }
            if (reached == 0) {
                LOG.warnf("Budget alert %d (%s, team %s): no manager can be reached in chat", id, kind, team.key);
            }
        });
    }

}
