package dev.yardstick.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.chat.ChatMessage;
import dev.yardstick.ledger.Shipped;
import dev.yardstick.ledger.Summary;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The digest composed from figures alone: its facts, trend line, nudges and the privacy note. */
class DigestCompositionTest {

    private static final LocalDate MONDAY = LocalDate.of(2026, 11, 30);

    private static DigestFigures figures(long runawayAlerts) {
        List<DigestFigures.Week> trend = new ArrayList<>();
        long[] shipped = {0, 4, 5, 8};
        String[] spend = {"50", "100", "100", "120"};
        for (int i = 0; i < shipped.length; i++) {
            trend.add(new DigestFigures.Week(MONDAY.minusWeeks(3 - i), new BigDecimal(spend[i]), shipped[i]));
        }
        return new DigestFigures("pay", "Payments", "2026-W49", MONDAY, new BigDecimal("120"), new BigDecimal("100"),
                new BigDecimal("500"), Map.of("pr_merged", 5L, "ticket_resolved", 2L, "deployment", 1L,
                        "incident_resolved", 0L),
                8, 5, 4, new BigDecimal("0.25"), trend, 6, runawayAlerts, new BigDecimal("42.50"));
    }

    private static Map<String, String> facts(ChatMessage m) {
        return m.blocks().stream().filter(ChatMessage.Facts.class::isInstance).map(ChatMessage.Facts.class::cast)
                .flatMap(f -> f.facts().stream())
                .collect(java.util.stream.Collectors.toMap(ChatMessage.Fact::label, ChatMessage.Fact::value));
    }

    private static List<String> paragraphs(ChatMessage m) {
        return m.blocks().stream().filter(ChatMessage.Paragraph.class::isInstance)
                .map(b -> ((ChatMessage.Paragraph) b).text()).toList();
    }

    @Test
    void theFactsSayWhatWasSpentAndShipped() {
        ChatMessage m = new DigestService().compose(figures(0));
        assertEquals("Payments, week of 30 Nov – 6 Dec: $120 spent, 8 shipped", m.text());
        Map<String, String> facts = facts(m);
        assertEquals("$120 of $500 (24%), up 20% on the week before", facts.get("Spend"));
        assertEquals("8 items: 5 PRs merged, 2 tickets resolved, 1 deployments\n50% marked AI-assisted",
                facts.get("Shipped"));
        assertEquals("$15.00", facts.get("Cost per shipped item"));
        assertEquals("25% premium, 75% efficient models", facts.get("Model mix"));
        assertEquals("none this week", facts.get("Runaway-agent alerts"));
        assertEquals("**Cost per shipped item, last 8 weeks:** – → $25.00 → $20.00 → $15.00", paragraphs(m).get(0));
    }

    @Test
    void runawaySessionsAreCountedWithoutNames() {
        ChatMessage m = new DigestService().compose(figures(2));
        assertEquals("2 sessions, $42.50 spent by them", facts(m).get("Runaway-agent alerts"));
    }

    @Test
    void itEndsWithThePrivacyNoteAndCarriesTheNudges() {
        ChatMessage m = new DigestService().compose(figures(0));
        ChatMessage.Block last = m.blocks().get(m.blocks().size() - 1);
        assertEquals(new ChatMessage.Note("Team totals only. Individual numbers are private: run /ai-spend to see "
                + "yours."), last);
        List<String> nudges = Nudges.choose(figures(0));
        assertEquals(nudges, paragraphs(m).subList(1, paragraphs(m).size()));
        assertTrue(nudges.stream().anyMatch(n -> n.startsWith("Cost per shipped item fell")), nudges.toString());
    }

    private static DigestFigures with(Summary.PrSurvival prs, Summary.Deployments deployments) {
        DigestFigures f = figures(0);
        return new DigestFigures(f.teamKey(), f.teamName(), f.week(), f.monday(), f.spend(), f.previousSpend(),
                f.budget(), f.shipped(), f.shippedTotal(), f.previousShipped(), f.aiAssisted(), f.premiumShare(),
                f.trend(), f.activeMembers(), f.runawayAlerts(), f.runawayUsd(), prs, deployments);
    }

    @Test
    void aiAssistedPullRequestsGetOneLineWhenThereWereAny() {
        // (14 − 1) ÷ (14 + 3) = 76.5% → 76%; others (10 − 0) ÷ (10 + 1) = 90.9% → 91%
        Map<String, String> facts = facts(new DigestService().compose(with(
                new Summary.PrSurvival(Summary.Prs.of(14, 3, 1), Summary.Prs.of(10, 1, 0)), null)));
        assertEquals("14 merged, 3 closed, 1 reverted — 76% kept; others 91%", facts.get("AI-assisted PRs"));

        Map<String, String> none = facts(new DigestService().compose(with(
                new Summary.PrSurvival(Summary.Prs.of(0, 0, 0), Summary.Prs.of(10, 1, 0)), null)));
        assertFalse(none.containsKey("AI-assisted PRs"), none.toString());
        assertFalse(facts(new DigestService().compose(figures(0))).containsKey("AI-assisted PRs"));
    }

    private static DigestFigures withRouting(String cost, String cheaperCost) {
        DigestFigures f = figures(0);
        return new DigestFigures(f.teamKey(), f.teamName(), f.week(), f.monday(), f.spend(), f.previousSpend(),
                f.budget(), f.shipped(), f.shippedTotal(), f.previousShipped(), f.aiAssisted(), f.premiumShare(),
                f.trend(), f.activeMembers(), f.runawayAlerts(), f.runawayUsd(), null, null, null,
                List.of(new dev.yardstick.ledger.ModelRouting.Advice("claude-opus-4-5", "claude-haiku-4-5", 1200,
                        new BigDecimal(cost), new BigDecimal(cheaperCost)),
                        new dev.yardstick.ledger.ModelRouting.Advice("gpt-4o", "gpt-4o-mini", 34,
                                new BigDecimal("0.50"), new BigDecimal("0.50"))));
    }

    @Test
    void theRoutingLineNeedsFiveDollarsAndFivePercentOfSpend() {
        // spend $120: 5% is $6.00; $7.50 − $1.50 = $6.00 is enough, $7.49 − $1.50 = $5.99 is not
        Map<String, String> facts = facts(new DigestService().compose(withRouting("7.50", "1.50")));
        assertEquals("1,234 short requests on premium models would have cost $6.00 less (5% of spend) on the same "
                + "provider's efficient models", facts.get("Routing"));
        assertFalse(facts(new DigestService().compose(withRouting("7.49", "1.50"))).containsKey("Routing"));
        assertFalse(facts(new DigestService().compose(figures(0))).containsKey("Routing"));
        String text = new DigestService().compose(withRouting("7.50", "1.50")).blocks().toString();
        assertFalse(text.contains("claude-opus") || text.contains("use more"), text);
    }

    @Test
    void failedDeploymentsGetAChangeFailureLine() {
        Map<String, String> facts = facts(new DigestService().compose(with(null, Summary.Deployments.of(9, 2))));
        assertEquals("9 succeeded, 2 failed (18% change failure rate)", facts.get("Deployments"));
        assertFalse(facts(new DigestService().compose(with(null, Summary.Deployments.of(9, 0))))
                .containsKey("Deployments"));
    }

    private static DigestFigures withCosts(long merged, String... known) {
        DigestFigures f = figures(0);
        return new DigestFigures(f.teamKey(), f.teamName(), f.week(), f.monday(), f.spend(), f.previousSpend(),
                f.budget(), f.shipped(), f.shippedTotal(), f.previousShipped(), f.aiAssisted(), f.premiumShare(),
                f.trend(), f.activeMembers(), f.runawayAlerts(), f.runawayUsd(), null, null,
                new Shipped.PrCosts(merged, java.util.Arrays.stream(known).map(BigDecimal::new).toList()));
    }

    @Test
    void theMedianAiCostPerMergedPrComesWithItsCoverage() {
        // 3 known of 14: 0.80, 4.20, 12.00 → median 4.20
        assertEquals("$4.20 median; 3 of 14 PRs had a known AI cost",
                facts(new DigestService().compose(withCosts(14, "12.00", "0.80", "4.20")))
                        .get("AI cost per merged PR"));
        // an even count: the mean of the middle two, (2.00 + 3.00) ÷ 2
        assertEquals("$2.50 median; all 4 PRs merged had a known AI cost",
                facts(new DigestService().compose(withCosts(4, "1.00", "3.00", "2.00", "9.00")))
                        .get("AI cost per merged PR"));
        assertEquals("$0.00 median; the one PR merged had a known AI cost",
                facts(new DigestService().compose(withCosts(1, "0"))).get("AI cost per merged PR"));
        assertFalse(facts(new DigestService().compose(withCosts(14))).containsKey("AI cost per merged PR"));
        assertFalse(facts(new DigestService().compose(figures(0))).containsKey("AI cost per merged PR"));
    }
}
