package dev.yardstick.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
