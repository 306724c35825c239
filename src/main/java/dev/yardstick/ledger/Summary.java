package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A team's totals over a range of days in the team's timezone. Team figures only: the ledger
 * offers no per-member breakdown.
 *
 * @param costPerOutcomeUsd cost divided by shipped items, {@code null} without outcomes
 * @param activeMembers     members with at least one usage or outcome event in the range
 * @param unpricedEvents    usage events of models missing from the pricing table (kept at cost 0)
 * @param prSurvival        pull requests merged, closed unmerged and reverted in the range, AI-assisted and the rest
 * @param deployments       deployments to the team's deploy environments that succeeded and failed in the range
 */
public record Summary(String team, LocalDate from, LocalDate to, BigDecimal costUsd, Tokens tokens, long requests,
        Map<String, Long> outcomes, long outcomesTotal, BigDecimal costPerOutcomeUsd, List<ToolCost> byTool,
        List<ModelCost> byModel, long activeMembers, long unpricedEvents, PrSurvival prSurvival,
        Deployments deployments) {

    /** Tokens by type. */
    public record Tokens(long input, long output, long cacheRead, long cacheWrite) {
    }

    /** Spend on one tool. */
    public record ToolCost(String tool, BigDecimal costUsd) {
    }

    /** Spend and tokens (all types) on one model. */
    public record ModelCost(String model, BigDecimal costUsd, long tokens) {
    }

    /** Pull request figures of AI-assisted pull requests and, side by side, of the rest. */
    public record PrSurvival(Prs aiAssisted, Prs others) {
    }

    /**
     * Pull requests of one kind of work in a range: merged (those reverted later included; a revert itself is not
     * counted), closed without merging, and reverted (reverts merged in the range, whenever the reverted pull request
     * merged: past ranges are never restated).
     *
     * @param survival (merged − reverted) ÷ (merged + closed), 0..1 (never below 0), or {@code null} without merged or
     *                 closed pull requests
     */
    public record Prs(long merged, long closed, long reverted, BigDecimal survival) {

        /** The figures with their survival worked out. */
        public static Prs of(long merged, long closed, long reverted) {
            BigDecimal survival = merged + closed == 0
                    ? null
                    : BigDecimal.valueOf(Math.max(0, merged - reverted))
                            .divide(BigDecimal.valueOf(merged + closed), 4, RoundingMode.HALF_UP);
            return new Prs(merged, closed, reverted, survival);
        }

        /** Whether any pull request was merged, closed or reverted. */
        public boolean any() {
            return merged + closed + reverted > 0;
        }
    }

    /**
     * Deployments to the team's deploy environments.
     *
     * @param changeFailureRate failed ÷ (succeeded + failed), 0..1, or {@code null} without deployments
     */
    public record Deployments(long succeeded, long failed, BigDecimal changeFailureRate) {

        /** The figures with their change failure rate worked out. */
        public static Deployments of(long succeeded, long failed) {
            return new Deployments(succeeded, failed, succeeded + failed == 0
                    ? null
                    : BigDecimal.valueOf(failed).divide(BigDecimal.valueOf(succeeded + failed), 4,
                            RoundingMode.HALF_UP));
        }
    }
}
