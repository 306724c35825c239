package dev.yardstick.demo;

import dev.yardstick.YardstickConfig;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.BudgetRequest;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.budget.Weeks;
import dev.yardstick.chat.Messenger;
import dev.yardstick.digest.DigestService;
import dev.yardstick.ledger.LedgerWriter;
import dev.yardstick.ledger.LedgerWriter.Indexed;
import dev.yardstick.ledger.OutcomeRecord;
import dev.yardstick.ledger.UsageRecord;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@code YARDSTICK_DEMO=true}: at start, seeds a demo organisation (three teams with managers, ten
 * weeks of usage across tools and models, shipped work, one overnight runaway session, one pending
 * budget request) and publishes each team's digest of the week just ended, so a newcomer sees the
 * product on the first run. Safe to run at every start: what exists is kept, only new days are added,
 * and a digest goes out once per team and week.
 */
@ApplicationScoped
public class DemoSeeder {

    private static final Logger LOG = Logger.getLogger(DemoSeeder.class);
    private static final int BATCH = 5_000;

    @Inject
    YardstickConfig config;
    @Inject
    LedgerWriter ledger;
    @Inject
    DigestService digests;
    @Inject
    BudgetService budgets;
    @Inject
    Messenger messenger;

    void onStart(@Observes StartupEvent event) {
        if (config.demo()) {
            seed(Instant.now());
        }
    }

    /** Seeds the demo organisation as of {@code now} and publishes its latest digests. */
    public void seed(Instant now) {
        long started = System.nanoTime();
        QuarkusTransaction.requiringNew().run(this::people);
        List<UsageRecord> usage = new ArrayList<>(DemoOrganisation.runaway(now));
        List<OutcomeRecord> outcomes = new ArrayList<>();
        for (DemoOrganisation.TeamPlan t : DemoOrganisation.TEAMS) {
            usage.addAll(DemoOrganisation.usage(t, now));
            outcomes.addAll(DemoOrganisation.outcomes(t, now));
        }
        int added = 0;
        for (int i = 0; i < usage.size(); i += BATCH) {
            added += ledger.writeUsage(indexed(usage.subList(i, Math.min(usage.size(), i + BATCH)))).accepted();
        }
        added += ledger.writeOutcomes(indexed(outcomes)).accepted();
        askForBudget();
        int published = 0;
        if (messenger.previewing()) {
            for (DemoOrganisation.TeamPlan t : DemoOrganisation.TEAMS) {
                Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(t.key()));
                if (digests.queue(team, Weeks.start(now, team.zone()).minusWeeks(1))) {
                    published++;
                }
            }
        }
        LOG.infof("Demo organisation ready: %d new events, %d digests published, in %d ms. Open /preview to see "
                + "what Yardstick says.", added, published, (System.nanoTime() - started) / 1_000_000);
    }

    private void people() {
        for (DemoOrganisation.TeamPlan t : DemoOrganisation.TEAMS) {
            if (Team.findById(t.key()) == null) {
                Team team = new Team();
                team.key = t.key();
                team.name = t.name();
                team.slackChannelId = t.channel();
                team.managers = new ArrayList<>(List.of(t.people().get(0)[0]));
                team.weeklyBudgetUsd = BigDecimal.valueOf(t.budget());
                team.timezone = t.zone();
                team.createdAt = Instant.now();
                team.updatedAt = team.createdAt;
                team.persist();
            }
            for (String[] p : t.people()) {
                if (Member.byEmail(p[0]).isEmpty()) {
                    Member m = new Member();
                    m.email = p[0];
                    m.displayName = p[1];
                    m.teamKey = t.key();
                    m.createdAt = Instant.now();
                    m.updatedAt = m.createdAt;
                    m.persist();
                }
            }
        }
    }

    /** One pending request, so the managers' approval message shows in the preview. */
    private void askForBudget() {
        Member hana = QuarkusTransaction.requiringNew()
                .call(() -> Member.byEmail("hana.kim@demo.yardstick.dev").orElseThrow());
        boolean asked = QuarkusTransaction.requiringNew()
                .call(() -> BudgetRequest.count("requesterId", hana.id) > 0);
        if (!asked) {
            budgets.request(hana.id, new BigDecimal("200"), "week",
                    "Load tests for the new offline sync before Friday's release");
        }
    }

    private static <T> List<Indexed<T>> indexed(List<T> events) {
        List<Indexed<T>> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            out.add(new Indexed<>(i, events.get(i)));
        }
        return out;
    }
}
