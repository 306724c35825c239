package dev.yardstick.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.ledger.Summary;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The nudge rules of docs/digest.md, on figures alone (no service, no database). */
class NudgesTest {

    private static final LocalDate MONDAY = LocalDate.of(2026, 11, 30);

    /** Figures with a spend, last week's spend, shipped now and before, a budget, a premium share and a trend. */
    private static DigestFigures figures(String spend, String previous, long shipped, long previousShipped,
            String budget, String premium, long[] trendShipped, String[] trendSpend) {
        List<DigestFigures.Week> trend = new ArrayList<>();
        for (int i = 0; i < trendShipped.length; i++) {
            trend.add(new DigestFigures.Week(MONDAY.minusWeeks(trendShipped.length - 1 - i),
                    new BigDecimal(trendSpend[i]), trendShipped[i]));
        }
        return new DigestFigures("t", "T", "2026-W49", MONDAY, new BigDecimal(spend), new BigDecimal(previous),
                budget == null ? null : new BigDecimal(budget), Map.of("pr_merged", shipped), shipped,
                previousShipped, 0, premium == null ? null : new BigDecimal(premium), trend, 3, 0, BigDecimal.ZERO);
    }

    @Test
    void spendUpWithFlatShippedWorkAsksAboutLoops() {
        List<String> n = Nudges.choose(figures("140", "100", 5, 5, "1000", "0.5", new long[]{5, 5},
                new String[]{"100", "140"}));
        assertEquals(1, n.size(), n.toString());
        assertTrue(n.get(0).startsWith("Spend rose 40% on last week while shipped work did not."), n.get(0));
    }

    @Test
    void spendUpWithMoreShippedWorkSaysNothing() {
        assertEquals(List.of(), Nudges.choose(figures("140", "100", 8, 5, "1000", "0.5", new long[]{5, 8},
                new String[]{"100", "140"})).stream().filter(s -> s.startsWith("Spend rose")).toList());
    }

    @Test
    void costPerItemRisingThreeWeeksRunning() {
        List<String> n = Nudges.choose(figures("400", "390", 4, 5, null, null, new long[]{10, 10, 10, 10},
                new String[]{"100", "200", "300", "400"}));
        assertEquals(List.of("Cost per shipped item has risen three weeks running, from $10.00 to $40.00. "
                + "A good moment to ask which work AI is really speeding up."), n);
    }

    @Test
    void premiumShareAboveEightyPercent() {
        List<String> n = Nudges.choose(figures("100", "100", 5, 5, null, "0.85", new long[]{5}, new String[]{"100"}));
        assertEquals(1, n.size());
        assertTrue(n.get(0).startsWith("85% of spend went to premium models."), n.get(0));
    }

    @Test
    void lowBudgetUseAsksAboutBarriersNeverToUseMore() {
        List<String> n = Nudges.choose(figures("50", "50", 5, 5, "1000", null, new long[]{5}, new String[]{"50"}));
        assertEquals(1, n.size());
        assertTrue(n.get(0).startsWith("The team used 5% of its budget."), n.get(0));
        assertTrue(n.stream().noneMatch(s -> s.toLowerCase().contains("use more")));
    }

    @Test
    void fallingCostPerItemIsPraised() {
        List<String> n = Nudges.choose(figures("100", "100", 10, 5, null, null, new long[]{5, 10},
                new String[]{"100", "100"}));
        assertEquals(List.of("Cost per shipped item fell from $20.00 to $10.00. Nice work."), n);
    }

    @Test
    void atMostTwoInPriorityOrder() {
        List<String> n = Nudges.choose(figures("400", "100", 10, 10, "100000", "0.9", new long[]{10, 10, 10, 10},
                new String[]{"100", "200", "300", "400"}));
        assertEquals(Nudges.MAX, n.size());
        assertTrue(n.get(0).startsWith("Spend rose"), n.get(0));
        assertTrue(n.get(1).startsWith("Cost per shipped item has risen"), n.get(1));
    }

    @Test
    void quietFiguresGiveNoNudge() {
        assertEquals(List.of(), Nudges.choose(figures("100", "100", 5, 5, "500", "0.5", new long[]{5, 5},
                new String[]{"100", "100"})));
    }

    /** Quiet figures (no other nudge fires) with these pull request figures. */
    private static DigestFigures prs(Summary.Prs ai, Summary.Prs others) {
        DigestFigures q = figures("100", "100", 5, 5, "500", "0.5", new long[]{5, 5}, new String[]{"100", "100"});
        return new DigestFigures(q.teamKey(), q.teamName(), q.week(), q.monday(), q.spend(), q.previousSpend(),
                q.budget(), q.shipped(), q.shippedTotal(), q.previousShipped(), q.aiAssisted(), q.premiumShare(),
                q.trend(), q.activeMembers(), q.runawayAlerts(), q.runawayUsd(), new Summary.PrSurvival(ai, others),
                null);
    }

    private static boolean survivalNudge(List<String> nudges) {
        return nudges.stream().anyMatch(n -> n.startsWith("AI-assisted PRs were kept less often"));
    }

    @Test
    void survivalNudgeFiresAtFifteenPointsBelowTheOthersWithFiveOfEach() {
        // AI-assisted: (4 − 1) ÷ (4 + 1) = 60%; others: (15 − 0) ÷ (20 + 0) = 75%: exactly 15 points
        List<String> n = Nudges.choose(prs(Summary.Prs.of(4, 1, 1), Summary.Prs.of(20, 0, 5)));
        assertEquals(List.of("AI-assisted PRs were kept less often than the others this week (60% against 75%). "
                + "Worth a look at what the closed and reverted ones have in common: task size, review, or how the "
                + "work was described to the tool."), n);
    }

    @Test
    void survivalNudgeStaysQuietBelowItsThresholdsAndMinimumCounts() {
        // 14 points apart: (4 − 1) ÷ 5 = 60% against (74 − 0) ÷ 100 = 74%
        assertFalse(survivalNudge(Nudges.choose(prs(Summary.Prs.of(4, 1, 1), Summary.Prs.of(74, 26, 0)))));
        // 4 AI-assisted pull requests, however far below: one bad week of a few PRs is no trend
        assertFalse(survivalNudge(Nudges.choose(prs(Summary.Prs.of(3, 1, 3), Summary.Prs.of(20, 0, 0)))));
        // 4 other pull requests
        assertFalse(survivalNudge(Nudges.choose(prs(Summary.Prs.of(5, 5, 0), Summary.Prs.of(4, 0, 0)))));
        // no pull request figures at all
        assertFalse(survivalNudge(Nudges.choose(figures("100", "100", 5, 5, "500", "0.5", new long[]{5, 5},
                new String[]{"100", "100"}))));
        // AI-assisted kept more often
        assertFalse(survivalNudge(Nudges.choose(prs(Summary.Prs.of(10, 0, 0), Summary.Prs.of(5, 5, 0)))));
    }
}
