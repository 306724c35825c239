package dev.yardstick.personal;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.BudgetRequest;
import dev.yardstick.budget.Budgets;
import dev.yardstick.budget.Weeks;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.ledger.LedgerQueries;
import dev.yardstick.ledger.MemberTotals;
import dev.yardstick.ledger.ModelRouting;
import dev.yardstick.ledger.ShippedQueries;
import dev.yardstick.ledger.Summary;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Composes what a person sees about their own AI use: always about them alone, compared with their
 * own history, never with colleagues. These messages go only to that person.
 */
@ApplicationScoped
public class PersonalFigures {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM", Locale.US);
    private static final int HISTORY_WEEKS = 4;

    @Inject
    LedgerQueries ledger;
    @Inject
    Budgets budgets;
    @Inject
    ShippedQueries shipped;
    @Inject
    ModelRouting routing;

    /** How many of the person's own pull requests with a known AI cost the week shows. */
    static final int OWN_PRS = 5;

    /** The routing line names a model only when its short requests would have cost at least this much less. */
    public static final BigDecimal ROUTING_MIN_USD = BigDecimal.ONE;
    /** The routing line names at most this many models, largest saving first. */
    static final int ROUTING_MODELS = 2;

    /** The person's week so far, against their own average for the same days of the 4 weeks before. */
    public ChatMessage myWeek(Member member, Instant now) {
        Team team = member.teamKey == null ? null : Team.findById(member.teamKey);
        ZoneId zone = team == null ? ZoneOffset.UTC : team.zone();
        LocalDate weekStart = Weeks.start(now, zone);
        LocalDate today = LocalDate.ofInstant(now, zone);
        MemberTotals week = ledger.memberTotals(member.id, weekStart, today);
        List<MemberTotals> history = new ArrayList<>();
        for (int k = 1; k <= HISTORY_WEEKS; k++) {
            history.add(ledger.memberTotals(member.id, weekStart.minusWeeks(k), today.minusWeeks(k)));
        }
        BigDecimal avgCost = history.stream().map(MemberTotals::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add)
                .divide(BigDecimal.valueOf(HISTORY_WEEKS), 2, RoundingMode.HALF_UP);
        double avgOutcomes = history.stream().mapToLong(MemberTotals::outcomes).average().orElse(0);
        double avgTokens = history.stream().mapToLong(MemberTotals::tokens).average().orElse(0);
        BigDecimal histCost = history.stream().map(MemberTotals::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        long histOutcomes = history.stream().mapToLong(MemberTotals::outcomes).sum();

        List<ChatMessage.Fact> facts = new ArrayList<>();
        String spend = Format.usd(week.costUsd());
        if (team != null) {
            BigDecimal budget = budgets.effective(team.key, weekStart);
            if (budget != null && budget.signum() > 0) {
                spend += " · " + Format.percent(week.costUsd(), budget) + " of the team's " + Format.usd(budget)
                        + " weekly budget";
            }
        }
        facts.add(new ChatMessage.Fact("Spend", spend + "\nYour average: " + Format.usd(avgCost)
                + change(week.costUsd().doubleValue(), avgCost.doubleValue())));
        facts.add(new ChatMessage.Fact("Shipped", week.outcomes() + (week.outcomes() == 1 ? " item" : " items")
                + "\nYour average: " + String.format(Locale.US, "%.1f", avgOutcomes)));
        facts.add(new ChatMessage.Fact("Cost per shipped item", perItem(week.costUsd(), week.outcomes())
                + "\nYour average: " + perItem(histCost, histOutcomes)));
        facts.add(new ChatMessage.Fact("Tokens", Format.count(week.tokens()) + "\nYour average: "
                + Format.count(Math.round(avgTokens))));
        String span = weekStart.equals(today) ? DAY.format(today) : DAY.format(weekStart) + " – " + DAY.format(today);
        ChatMessage.Builder b = ChatMessage.builder("Your AI use this week: " + Format.usd(week.costUsd()) + ", "
                + week.outcomes() + " shipped")
                .header("Your AI use this week")
                .paragraph("_" + span + ", compared with the same days of your previous " + HISTORY_WEEKS
                        + " weeks._")
                .facts(facts)
                .paragraph("**Model mix:** " + mix(week));
        List<ShippedQueries.OwnPullRequest> prs = shipped.ownPullRequests(member.id,
                weekStart.atStartOfDay(zone).toInstant(), now, OWN_PRS);
        if (!prs.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (ShippedQueries.OwnPullRequest pr : prs) {
                parts.add(pr.repository() + "#" + pr.number() + " " + Format.usd(pr.aiCostUsd()));
            }
            b.paragraph("**AI cost of your merged PRs:** " + String.join(" · ", parts)
                    + "\n_The spend of the sessions linked to each PR's branch, until it merged._");
        }
        String routed = routing(routing.ofMember(member.id, weekStart, today));
        if (routed != null) {
            b.paragraph(routed);
        }
        return b.note("Only you can see this. Yardstick compares you with your own history, never with colleagues.")
                .build();
    }

    /**
     * The person's routing line, when the short requests on a premium model would have cost at least
     * {@link #ROUTING_MIN_USD} less on the same provider's efficient model: "Your 212 short requests on
     * claude-opus-4-5 would have cost $31.20 less on claude-haiku-4-5." (docs/digest.md#routing-advice).
     */
    static String routing(List<ModelRouting.Advice> advice) {
        List<String> lines = new ArrayList<>();
        for (ModelRouting.Advice a : advice) {
            if (a.savingUsd().compareTo(ROUTING_MIN_USD) >= 0 && lines.size() < ROUTING_MODELS) {
                lines.add("Your " + a.requests() + " short " + (a.requests() == 1 ? "request" : "requests") + " on "
                        + a.model() + " would have cost " + Format.usd(a.savingUsd()) + " less on "
                        + a.cheaperModel() + ".");
            }
        }
        if (lines.isEmpty()) {
            return null;
        }
        return "**Routing:** " + String.join(" ", lines) + "\n_Short: one request of at most "
                + String.format(Locale.US, "%,d", ModelRouting.SHORT_REQUEST_TOKENS) + " tokens, context included; "
                + "same tokens, list prices. Some short requests still need the larger model: yours to judge._";
    }

    /** The team's totals for the week so far: the digest's figures, no individuals. */
    public ChatMessage teamWeek(Team team, Instant now) {
        LocalDate weekStart = Weeks.start(now, team.zone());
        LocalDate today = LocalDate.ofInstant(now, team.zone());
        Summary s = ledger.summary(team.key, weekStart, today);
        BigDecimal budget = budgets.effective(team.key, weekStart);
        String spend = Format.usd(s.costUsd()) + (budget == null || budget.signum() == 0
                ? ""
                : " of " + Format.usd(budget) + " (" + Format.percent(s.costUsd(), budget) + ")");
        return ChatMessage.builder(team.name + " this week: " + Format.usd(s.costUsd()) + ", " + s.outcomesTotal()
                + " shipped")
                .header(team.name + " this week so far")
                .facts(List.of(new ChatMessage.Fact("Spend", spend),
                        new ChatMessage.Fact("Shipped", s.outcomesTotal() + " items: " + s.outcomes().get("pr_merged")
                                + " PRs merged, " + s.outcomes().get("ticket_resolved") + " tickets resolved, "
                                + s.outcomes().get("deployment") + " deployments"),
                        new ChatMessage.Fact("Cost per shipped item", perItem(s.costUsd(), s.outcomesTotal())),
                        new ChatMessage.Fact("People using AI", Long.toString(s.activeMembers()))))
                .note("Team totals only. Each person's own figures are private to them: /ai-spend")
                .build();
    }

    /** The App Home: this week, the last 8 weeks, pending requests. */
    public ChatMessage home(Member member, Instant now, List<BudgetRequest> pending) {
        ChatMessage week = myWeek(member, now);
        Team team = member.teamKey == null ? null : Team.findById(member.teamKey);
        ZoneId zone = team == null ? ZoneOffset.UTC : team.zone();
        LocalDate weekStart = Weeks.start(now, zone);
        List<ChatMessage.Fact> weeks = new ArrayList<>();
        for (int k = 1; k <= 8; k++) {
            LocalDate start = weekStart.minusWeeks(k);
            MemberTotals t = ledger.memberTotals(member.id, start, start.plusDays(6));
            weeks.add(new ChatMessage.Fact("Week of " + DAY.format(start),
                    Format.usd(t.costUsd()) + " · " + t.outcomes() + " shipped · " + perItem(t.costUsd(), t.outcomes())
                            + " per item"));
        }
        ChatMessage.Builder b = ChatMessage.builder("Your Yardstick home");
        b.blocks(week.blocks());
        b.divider().header("Your last 8 weeks").facts(weeks);
        b.divider().header("Your budget requests");
        if (pending.isEmpty()) {
            b.paragraph("No pending requests. Ask with `/ai-spend request <amount> <reason>`.");
        } else {
            for (BudgetRequest r : pending) {
                b.paragraph("#" + r.id + ": " + Format.usd(r.amountUsd) + " (" + ("week".equals(r.scope)
                        ? "this week"
                        : "permanent") + "), waiting for a manager since " + DAY.format(
                                LocalDate.ofInstant(
                                        r.createdAt, zone)));
            }
        }
        return b.build();
    }

    private static String mix(MemberTotals week) {
        if (week.byModel().isEmpty() || week.costUsd().signum() == 0) {
            return "no priced use yet this week";
        }
        List<String> parts = new ArrayList<>();
        for (Summary.ModelCost m : week.byModel().subList(0, Math.min(4, week.byModel().size()))) {
            parts.add(m.model() + " " + Format.percent(m.costUsd(), week.costUsd()));
        }
        return String.join(" · ", parts);
    }

    private static String perItem(BigDecimal cost, long items) {
        return items == 0 ? "–" : Format.usd(cost.divide(BigDecimal.valueOf(items), 2, RoundingMode.HALF_UP));
    }

    private static String change(double now, double avg) {
        if (avg <= 0) {
            return "";
        }
        long pct = Math.round((now - avg) / avg * 100);
        return pct == 0 ? " (same)" : " (" + (pct > 0 ? "+" : "") + pct + "%)";
    }
}
