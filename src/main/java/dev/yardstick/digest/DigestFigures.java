package dev.yardstick.digest;

import dev.yardstick.ledger.ModelRouting;
import dev.yardstick.ledger.Shipped;
import dev.yardstick.ledger.Summary;
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
 * @param prSurvival        pull requests merged, closed and reverted, AI-assisted and the rest, or null when unknown
 * @param deployments       deployments that succeeded and failed, or null when unknown
 * @param prCosts           the AI costs of the week's merged pull requests (how many merged, the known costs), or
 *                          null when unknown
 * @param routing           the week's short requests on premium models, per model, and what they would have cost on
 *                          the same provider's efficient model; null when unknown
 */
public record DigestFigures(String teamKey, String teamName, String week, LocalDate monday, BigDecimal spend,
        BigDecimal previousSpend, BigDecimal budget, Map<String, Long> shipped, long shippedTotal,
        long previousShipped, long aiAssisted, BigDecimal premiumShare, List<Week> trend, long activeMembers,
        long runawayAlerts, BigDecimal runawayUsd, Summary.PrSurvival prSurvival, Summary.Deployments deployments,
        Shipped.PrCosts prCosts, List<ModelRouting.Advice> routing) {

    /** Figures without routing advice. */
    public DigestFigures(String teamKey, String teamName, String week, LocalDate monday, BigDecimal spend,
            BigDecimal previousSpend, BigDecimal budget, Map<String, Long> shipped, long shippedTotal,
            long previousShipped, long aiAssisted, BigDecimal premiumShare, List<Week> trend, long activeMembers,
            long runawayAlerts, BigDecimal runawayUsd, Summary.PrSurvival prSurvival, Summary.Deployments deployments,
            Shipped.PrCosts prCosts) {
        this(teamKey, teamName, week, monday, spend, previousSpend, budget, shipped, shippedTotal, previousShipped,
                aiAssisted, premiumShare, trend, activeMembers, runawayAlerts, runawayUsd, prSurvival, deployments,
                prCosts, null);
    }

    /** Figures without pull request costs. */
    public DigestFigures(String teamKey, String teamName, String week, LocalDate monday, BigDecimal spend,
            BigDecimal previousSpend, BigDecimal budget, Map<String, Long> shipped, long shippedTotal,
            long previousShipped, long aiAssisted, BigDecimal premiumShare, List<Week> trend, long activeMembers,
            long runawayAlerts, BigDecimal runawayUsd, Summary.PrSurvival prSurvival,
            Summary.Deployments deployments) {
        this(teamKey, teamName, week, monday, spend, previousSpend, budget, shipped, shippedTotal, previousShipped,
                aiAssisted, premiumShare, trend, activeMembers, runawayAlerts, runawayUsd, prSurvival, deployments,
                null, null);
    }

    /** Figures without pull request survival or deployment figures. */
    public DigestFigures(String teamKey, String teamName, String week, LocalDate monday, BigDecimal spend,
            BigDecimal previousSpend, BigDecimal budget, Map<String, Long> shipped, long shippedTotal,
            long previousShipped, long aiAssisted, BigDecimal premiumShare, List<Week> trend, long activeMembers,
            long runawayAlerts, BigDecimal runawayUsd) {
        this(teamKey, teamName, week, monday, spend, previousSpend, budget, shipped, shippedTotal, previousShipped,
                aiAssisted, premiumShare, trend, activeMembers, runawayAlerts, runawayUsd, null, null, null, null);
    }

    /** One week of the trend. */
    public record Week(LocalDate monday, BigDecimal spend, long shipped) {

        /** Cost per shipped item, or null when nothing shipped. */
        public BigDecimal costPerItem() {
            return shipped == 0 ? null : spend.divide(BigDecimal.valueOf(shipped), 2, java.math.RoundingMode.HALF_UP);
        }
    }
}
