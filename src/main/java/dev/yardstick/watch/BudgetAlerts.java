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
                && done.budget().equals(budgets.effective(teamKey, done.weekStart()))
                && stillOpen(teamKey, Alert.BUDGET_100, done.weekStart())) {
            return; // its 100% alert is out (not voided) and the budget is unchanged: nothing more to say this week
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

    /**
     * After a void took usage of these days out of a team's spend: closes each open budget alert of the budget
     * weeks they fall in whose line the week's spend, as it now stands, no longer crosses (80 % or 100 % of the
     * budget it was measured against; for the pace alert, the week's spend at the pace measured when it was
     * raised), and tells the managers it is withdrawn. A line crossed again later raises a new alert.
     */
    void closeVoided(String teamKey, java.util.Set<LocalDate> days) {
        exhausted.remove(teamKey);
        Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(teamKey));
        if (team == null) {
            return;
        }
        java.util.Set<LocalDate> weeks = new java.util.TreeSet<>();
        for (LocalDate d : days) {
            weeks.add(d.with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY)));
        }
        for (LocalDate weekStart : weeks) {
            List<Alert> open = QuarkusTransaction.requiringNew().call(() -> Alert.list(
                    "teamKey = ?1 and weekStart = ?2 and kind <> ?3 and status = 'open'", teamKey, weekStart,
                    Alert.RUNAWAY));
            if (open.isEmpty()) {
                continue;
            }
            BigDecimal spent = ledger.summary(teamKey, weekStart, weekStart.plusDays(6)).costUsd();
            ZonedDateTime start = weekStart.atStartOfDay(team.zone());
            Duration length = Duration.between(start.toInstant(), start.plusWeeks(1).toInstant());
            for (Alert a : open) {
                BigDecimal budget = a.budgetUsd != null ? a.budgetUsd : budgets.effective(teamKey, weekStart);
                if (budget == null || budget.signum() <= 0) {
                    continue;
                }
                double used = spent.doubleValue() / budget.doubleValue();
                long elapsed = Math.max(1, Duration.between(start.toInstant(), a.createdAt).toSeconds());
                boolean crossed = switch (a.kind) {
                    case Alert.BUDGET_100 -> used >= 1.0;
                    case Alert.BUDGET_80 -> used >= 0.8;
                    default -> spent.doubleValue() * length.toSeconds() / elapsed >= budget.doubleValue();
                };
                if (!crossed) {
                    close(a.id, team, spent, budget);
                }
            }
        }
    }

    /** Whether the team's alert of that kind and week is out and not closed by a void. */
    private boolean stillOpen(String teamKey, String kind, LocalDate weekStart) {
        return QuarkusTransaction.requiringNew().call(() -> Alert.count(
                "teamKey = ?1 and kind = ?2 and weekStart = ?3 and status <> ?4", teamKey, kind, weekStart,
                Alert.VOIDED) > 0);
    }

    private void close(long alertId, Team team, BigDecimal spent, BigDecimal budget) {
        QuarkusTransaction.requiringNew().run(() -> {
            Alert a = Alert.findById(alertId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            if (a == null || !"open".equals(a.status)) {
                return;
            }
            a.status = Alert.VOIDED;
            a.updatedAt = Instant.now();
            ChatMessage message = AlertMessages.budgetVoided(a, team, spent, budget);
            for (Member manager : team.managerMembers()) {
                MessageKey sent = MessageKey.of("alert", a.id, "manager", manager.id);
                messenger.replace(sent, sent.and(Alert.VOIDED), message);
            }
            AlertRecords.count(registry, a.kind, Alert.VOIDED);
        });
    }

    private void raiseBudget(Team team, String kind, LocalDate weekStart, Summary week, BigDecimal budget,
            boolean tell) {
        QuarkusTransaction.requiringNew().run(() -> {
            List<?> ids = em.createNativeQuery("""
                    insert into alert (kind, team_key, amount_usd, week_start, budget_usd, status)
                    values (?1, ?2, ?3, ?4, ?5, 'open')
                    on conflict (team_key, kind, week_start) where kind <> 'runaway' and status <> 'voided' do nothing
                    returning id
                    """).setParameter(1, kind).setParameter(2, team.key).setParameter(3, week.costUsd())
                    .setParameter(4, weekStart).setParameter(5, budget).getResultList();
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
