package dev.yardstick.digest;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A team's figures for one ISO week, the input of the digest and its nudges. Team totals only.
 *
 * @param budget            the effective weekly budget, or null when the team has none
 * @param premiumShare      share of priced spend on premium models, 0..1, or null without spend
 * @param trend             the 8 weeks ending with this one, oldest first
 * @param runawayAlerts     runaway-agent alerts raised in the week (no names)
 * @param runawayUsd        what the sessions of those alerts spent
 */
public record DigestFigures(String teamKey, String teamName, String week, LocalDate monday, BigDecimal spend,
        BigDecimal previousSpend, BigDecimal budget, Map<String, Long> shipped, long shippedTotal,
        long previousShipped, long aiAssisted, BigDecimal premiumShare, List<Week> trend, long activeMembers,
        long runawayAlerts, BigDecimal runawayUsd) {

    /** One week of the trend. */
    public record Week(LocalDate monday, BigDecimal spend, long shipped) {

        /** Cost per shipped item, or null when nothing shipped. */
        public BigDecimal costPerItem() {
            return shipped == 0 ? null : spend.divide(BigDecimal.valueOf(shipped), 2, java.math.RoundingMode.HALF_UP);
        }
    }
}
