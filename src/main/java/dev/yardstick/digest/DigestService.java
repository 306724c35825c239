package dev.yardstick.digest;

import dev.yardstick.chat.OutboxConfig;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.Budgets;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.Outbox;
import dev.yardstick.watch.AlertRecords;
import dev.yardstick.ledger.LedgerQueries;
import dev.yardstick.ledger.ModelRouting;
import dev.yardstick.ledger.Pricing;
import dev.yardstick.ledger.Shipped;
import dev.yardstick.ledger.ShippedQueries;
import dev.yardstick.ledger.Summary;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.Locale;
import java.util.Map;

/**
 * The weekly team digest: composed once from the ledger's team totals, in the neutral message
 * model, and queued in the outbox under {@code digest:<team>:<week>} so it goes out once. A team
 * with fewer than {@value #MIN_MEMBERS} active members that week gets it by DM to its managers,
 * since team totals would reveal a person.
 */
@ApplicationScoped
public class DigestService {

    /** Fewer active members than this: the digest goes to the managers, not the channel. */
    public static final int MIN_MEMBERS = 3;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM", Locale.US);

    @Inject
    OutboxConfig outboxSettings;
    @Inject
    AlertRecords alerts;
    @Inject
    LedgerQueries ledger;
    @Inject
    ShippedQueries shippedQueries;
    @Inject
    Budgets budgets;
    @Inject
    Pricing pricing;
    @Inject
    ModelRouting routing;
    @Inject
    Outbox outbox;
    @Inject
    Messenger messenger;
    @Inject
    EntityManager em;
    @Inject
    MeterRegistry registry;

    /** Parses {@code 2026-W47}; returns that week's Monday. */
    public static LocalDate monday(String isoWeek) {
        if (isoWeek == null || !isoWeek.matches("\\d{4}-W\\d{2}")) {
            throw new IllegalArgumentException("week must look like 2026-W47");
        }
        int year = Integer.parseInt(isoWeek.substring(0, 4));
        int week = Integer.parseInt(isoWeek.substring(6));
        LocalDate d;
        try {
            d = LocalDate.of(year, 1, 4).with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, week)
                    .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("no such week: " + isoWeek);
        }
        if (d.get(IsoFields.WEEK_BASED_YEAR) != year) {
            throw new IllegalArgumentException("no such week: " + isoWeek);
        }
        return d;
    }

    /** The ISO week of a date, as {@code 2026-W47}. */
    public static String isoWeek(LocalDate d) {
        return String.format(Locale.ROOT, "%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR),
                d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    /** Weeks in the digest's trend (this one included). */
    public static final int TREND_WEEKS = 8;

    /** The team's figures for the week starting {@code monday}. */
    public DigestFigures figures(Team team, LocalDate monday) {
        LocalDate sunday = monday.plusDays(6);
        Summary week = ledger.summary(team.key, monday, sunday);
        List<LedgerQueries.WeekTotals> weeks = ledger.weeklyTotals(team.key, monday.minusWeeks(TREND_WEEKS),
                TREND_WEEKS + 1);
        List<DigestFigures.Week> trend = new ArrayList<>();
        for (LedgerQueries.WeekTotals w : weeks.subList(1, weeks.size())) {
            trend.add(new DigestFigures.Week(w.monday(), w.costUsd(), w.outcomes()));
        }
        LedgerQueries.WeekTotals previous = weeks.get(weeks.size() - 2);
        BigDecimal premium = BigDecimal.ZERO;
        BigDecimal priced = BigDecimal.ZERO;
        for (Summary.ModelCost m : week.byModel()) {
            priced = priced.add(m.costUsd());
            if (pricing.lookup(m.model()).map(p -> !"efficient".equals(p.tier())).orElse(true)) {
                premium = premium.add(m.costUsd());
            }
        }
        BigDecimal premiumShare = priced.signum() == 0 ? null : premium.divide(priced, 4, RoundingMode.HALF_UP);
        AlertRecords.RunawayWeek runaway = alerts.runawayTotals(team.key, monday.atStartOfDay(team.zone()).toInstant(),
                monday.plusWeeks(1).atStartOfDay(team.zone()).toInstant());
        return new DigestFigures(team.key, team.name, isoWeek(monday), monday, week.costUsd(), previous.costUsd(),
                budgets.effective(team.key, monday), week.outcomes(), week.outcomesTotal(), previous.outcomes(),
                ledger.aiAssisted(team.key, monday, sunday), premiumShare, trend, week.activeMembers(),
                runaway.alerts(), runaway.costUsd(), week.prSurvival(), week.deployments(),
                shippedQueries.mergedPrCosts(team.key, monday.atStartOfDay(team.zone()).toInstant(),
                        monday.plusWeeks(1).atStartOfDay(team.zone()).toInstant()),
                routing.ofTeam(team.key, monday, sunday));
    }

    /** The digest message for these figures. */
    public ChatMessage compose(DigestFigures f) {
        String range = DAY.format(f.monday()) + " – " + DAY.format(f.monday().plusDays(6));
        String spend = Format.usd(f.spend());
        if (f.budget() != null && f.budget().signum() > 0) {
            spend += " of " + Format.usd(f.budget()) + " (" + Format.percent(f.spend(), f.budget()) + ")";
        }
        spend += change(f.spend(), f.previousSpend());
        Map<String, Long> k = f.shipped();
        String shipped = f.shippedTotal() + (f.shippedTotal() == 1 ? " item" : " items") + ": "
                + k.get("pr_merged") + " PRs merged, " + k.get("ticket_resolved") + " tickets resolved, "
                + k.get("deployment") + " deployments"
                + (k.get("incident_resolved") > 0 ? ", " + k.get("incident_resolved") + " incidents resolved" : "")
                + (f.shippedTotal() > 0
                        ? "\n" + Format.percent(BigDecimal.valueOf(f.aiAssisted()),
                                BigDecimal.valueOf(f.shippedTotal())) + " marked AI-assisted"
                        : "");
        DigestFigures.Week now = f.trend().get(f.trend().size() - 1);
        List<String> trendParts = new ArrayList<>();
        for (DigestFigures.Week w : f.trend()) {
            trendParts.add(w.costPerItem() == null ? "–" : Format.usd(w.costPerItem()));
        }
        String mix = f.premiumShare() == null
                ? "no priced spend"
                : f.premiumShare().multiply(BigDecimal.valueOf(100)).setScale(0, RoundingMode.HALF_UP) + "% premium, "
                        + BigDecimal.ONE.subtract(f.premiumShare()).multiply(BigDecimal.valueOf(100))
                                .setScale(0, RoundingMode.HALF_UP)
                        + "% efficient models";
        String runaway = f.runawayAlerts() == 0
                ? "none this week"
                : f.runawayAlerts() + (f.runawayAlerts() == 1 ? " session, " : " sessions, ")
                        + Format.usd(f.runawayUsd()) + " spent by them";
        List<ChatMessage.Fact> facts = new ArrayList<>(List.of(new ChatMessage.Fact("Spend", spend),
                new ChatMessage.Fact("Shipped", shipped),
                new ChatMessage.Fact("Cost per shipped item", now.costPerItem() == null
                        ? "– (nothing shipped)"
                        : Format.usd(now.costPerItem()))));
        String deployments = changeFailures(f.deployments());
        if (deployments != null) {
            facts.add(new ChatMessage.Fact("Deployments", deployments));
        }
        String prCost = prCosts(f.prCosts());
        if (prCost != null) {
            facts.add(new ChatMessage.Fact("AI cost per merged PR", prCost));
        }
        String prs = prSurvival(f.prSurvival());
        if (prs != null) {
            facts.add(new ChatMessage.Fact("AI-assisted PRs", prs));
        }
        facts.add(new ChatMessage.Fact("Model mix", mix));
        String routed = routing(f.routing(), f.spend());
        if (routed != null) {
            facts.add(new ChatMessage.Fact("Routing", routed));
        }
        facts.add(new ChatMessage.Fact("Runaway-agent alerts", runaway));
        ChatMessage.Builder b = ChatMessage.builder(f.teamName() + ", week of " + range + ": " + Format.usd(f.spend())
                + " spent, " + f.shippedTotal() + " shipped")
                .header(f.teamName() + " · AI use, week of " + range)
                .facts(facts)
                .paragraph("**Cost per shipped item, last 8 weeks:** " + String.join(" → ", trendParts));
        for (String nudge : Nudges.choose(f)) {
            b.paragraph(nudge);
        }
        return b.note("Team totals only. Individual numbers are private: run /ai-spend to see yours.").build();
    }

    /**
     * The AI-assisted pull requests line, when there were any: "14 merged, 3 closed, 1 reverted — 76% kept; others
     * 91%". Survival is (merged − reverted) ÷ (merged + closed); see docs/digest.md.
     */
    static String prSurvival(Summary.PrSurvival s) {
        if (s == null || !s.aiAssisted().any()) {
            return null;
        }
        Summary.Prs ai = s.aiAssisted(), rest = s.others();
        return ai.merged() + " merged, " + ai.closed() + " closed, " + ai.reverted() + " reverted — "
                + (ai.survival() == null ? "none merged or closed" : Nudges.percent(ai.survival()) + " kept")
                + "; others " + (rest.survival() == null ? "none" : Nudges.percent(rest.survival()));
    }

    /**
     * The AI cost per merged pull request, when at least one had a known cost (a session linked to its branch):
     * "$4.20 median; 3 of 14 PRs had a known AI cost". No titles, no authors.
     */
    static String prCosts(Shipped.PrCosts c) {
        if (c == null || c.known().isEmpty()) {
            return null;
        }
        return Format.usd(c.median()) + " median; " + (c.known().size() == c.merged()
                ? (c.merged() == 1 ? "the one PR merged had" : "all " + c.merged() + " PRs merged had")
                        + " a known AI cost"
                : c.known().size() + " of " + c.merged() + " PRs had a known AI cost");
    }

    /** The routing line needs a possible saving of at least this much... */
    public static final BigDecimal ROUTING_MIN_USD = new BigDecimal("5");
    /** ...and at least this share (0..1) of the week's spend. */
    public static final BigDecimal ROUTING_MIN_SHARE = new BigDecimal("0.05");

    /**
     * The team's possible saving from routing, when it is at least {@link #ROUTING_MIN_USD} and
     * {@link #ROUTING_MIN_SHARE} of the week's spend: "212 short requests on premium models would have cost $42.10
     * less (12% of spend) on the same provider's efficient models". No person, no ranking (docs/digest.md).
     */
    static String routing(List<ModelRouting.Advice> advice, BigDecimal spend) {
        if (advice == null || advice.isEmpty() || spend == null || spend.signum() <= 0) {
            return null;
        }
        BigDecimal saving = ModelRouting.total(advice);
        if (saving.compareTo(ROUTING_MIN_USD) < 0 || saving.compareTo(spend.multiply(ROUTING_MIN_SHARE)) < 0) {
            return null;
        }
        long requests = advice.stream().mapToLong(ModelRouting.Advice::requests).sum();
        return String.format(Locale.US, "%,d", requests) + " short " + (requests == 1 ? "request" : "requests")
                + " on premium models would have cost " + Format.usd(saving) + " less (" + Format.percent(saving,
                        spend)
                + " of spend) on the same provider's efficient models";
    }

    /** The change-failure line, when deployments failed: "9 succeeded, 2 failed (18% change failure rate)". */
    static String changeFailures(Summary.Deployments d) {
        if (d == null || d.failed() == 0) {
            return null;
        }
        return d.succeeded() + " succeeded, " + d.failed() + " failed (" + Nudges.percent(d.changeFailureRate())
                + " change failure rate)";
    }

    /** What happened to a digest send. */
    public enum SendStatus {
        /** Every message of the digest went out. */
        SENT,
        /** It had gone out before; nothing was sent again. */
        ALREADY_SENT,
        /** Queued; delivery is still pending (for example rate-limited, or retrying after an error). */
        QUEUED,
        /** It could not be delivered (see {@code GET /api/v1/teams/{key}/digests} for why). */
        FAILED
    }

    /**
     * Sends the team's digest for the week unless it was sent before, and waits for the first delivery attempt
     * of its messages (an admin asked for it; at most the send timeout and 5 s). A digest that failed before is given fresh attempts.
     */
    public SendStatus send(Team team, LocalDate monday) {
        MessageKey key = key(team.key, monday);
        String before = status(key);
        if ("sent".equals(before)) {
            return SendStatus.ALREADY_SENT;
        }
        if ("failed".equals(before)) {
            QuarkusTransaction.requiringNew().run(() -> outbox.reopenFailed(keys(key)));
        }
        queue(team, monday);
        outbox.drain();
        // a worker (the scheduled one, say) may hold them, or their channel's slot is taken: wait for a first
        // result (rows before workers: a worker counts a row as its own before its claim commits)
        long deadline = System.nanoTime() + outboxSettings.sendTimeout().plusSeconds(5).toNanos();
        while ((rows(key).stream().anyMatch(Outbox.Delivery::untried) || outbox.sending(key))
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            outbox.drain();
        }
        String after = status(key);
        return "sent".equals(after)
                ? SendStatus.SENT
                : "failed".equals(after) ? SendStatus.FAILED : SendStatus.QUEUED;
    }

    /**
     * Queues the team's digest for the week once, whoever calls (replicas racing for the same
     * team-week queue it once); the outbox delivers it. Returns whether this call queued it.
     */
    public boolean queue(Team team, LocalDate monday) {
        MessageKey key = key(team.key, monday);
        if (status(key) != null) {
            return false;
        }
        Timer.Sample composing = Timer.start(registry);
        DigestFigures f = QuarkusTransaction.requiringNew().call(() -> figures(team, monday));
        ChatMessage message = compose(f);
        ChatMessage chart = chart(f);
        composing.stop(registry.timer("yardstick.digest.compose"));
        return QuarkusTransaction.requiringNew().call(() -> {
            // one replica takes the lock, the other then sees its rows
            em.createNativeQuery("select pg_advisory_xact_lock(hashtext(?1))").setParameter(1, key.value())
                    .getResultList();
            if (!rows(key).isEmpty()) {
                return false;
            }
            enqueue(team, f, key, message, chart);
            return true;
        });
    }

    /** The digest's 8-week chart, as a message of its own (uploaded after the digest). */
    public ChatMessage chart(DigestFigures f) {
        return TrendChart.message(f.teamName(), f.week(), f.trend());
    }

    private void enqueue(Team team, DigestFigures f, MessageKey key, ChatMessage message, ChatMessage chart) {
        if (f.activeMembers() >= MIN_MEMBERS && messenger.toTeamChannel(team.key, key, message)) {
            messenger.uploadToTeamChannel(team.key, key.and(CHART), chart);
            return;
        }
        // a small team (or one without a channel): totals would point at a person, so only its managers see them
        boolean any = false;
        for (Member m : team.managerMembers()) {
            MessageKey dm = key.and("manager", m.id);
            if (messenger.directMessage(m.id, dm, message)) {
                messenger.uploadToMember(m.id, dm.and(CHART), chart);
                any = true;
            }
        }
        if (!any) {
            outbox.undeliverable(key, f.activeMembers() >= MIN_MEMBERS
                    ? "The team has no chat channel, and none of its managers can be reached in chat."
                    : "Fewer than " + MIN_MEMBERS + " active members, so the digest goes to managers only, "
                            + "and none of the team's managers can be reached in chat.");
        }
    }

    private static final String CHART = "chart";

    /** The dedupe keys of a digest's messages, charts included. */
    private List<String> keys(MessageKey key) {
        return outbox.deliveries(key).stream().map(d -> d.key().value()).distinct().toList();
    }

    /** The deliveries of a digest's text: the channel post(s), or the DMs to managers (not the charts). */
    List<Outbox.Delivery> rows(MessageKey key) {
        return outbox.deliveries(key).stream()
                .filter(d -> (d.key().equals(key) || d.key().within(key.and("manager"))) && !d.key().endsWith(CHART))
                .toList();
    }

    /** {@code sent} when every message of the digest went out, {@code failed}, {@code pending}, or null. */
    String status(MessageKey key) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Outbox.Delivery> rows = rows(key);
            if (rows.isEmpty()) {
                return null;
            }
            if (rows.stream().allMatch(r -> "sent".equals(r.status()))) {
                return "sent";
            }
            return rows.stream().anyMatch(r -> "pending".equals(r.status())) ? "pending" : "failed";
        });
    }

    /** Every digest delivery of a team, newest week first. */
    public List<DigestResource.Delivery> history(String teamKey) {
        List<DigestResource.Delivery> out = new ArrayList<>();
        for (Outbox.Delivery d : outbox.deliveries(MessageKey.of("digest", teamKey))) {
            MessageKey k = d.key();
            String destination = "manager".equals(k.part(3)) ? "manager" : "channel";
            if (k.endsWith(CHART)) {
                destination += " (chart)";
            }
            out.add(new DigestResource.Delivery(k.part(2), destination, d.platform(), d.status(), d.attempts(),
                    d.lastError()));
        }
        out.sort(Comparator.comparing(DigestResource.Delivery::week).reversed());
        return out;
    }

    private static String change(BigDecimal now, BigDecimal before) {
        if (before == null || before.signum() == 0) {
            return "";
        }
        long pct = now.subtract(before).multiply(BigDecimal.valueOf(100)).divide(before, 0, RoundingMode.HALF_UP)
                .longValue();
        return pct == 0
                ? ", same as the week before"
                : ", " + (pct > 0 ? "up " : "down ") + Math.abs(pct)
                        + "% on the week before";
    }

    static MessageKey key(String teamKey, LocalDate monday) {
        return MessageKey.of("digest", teamKey, isoWeek(monday));
    }
}
