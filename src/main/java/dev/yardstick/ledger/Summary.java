package dev.yardstick.ledger;

import java.math.BigDecimal;
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
 */
public record Summary(String team, LocalDate from, LocalDate to, BigDecimal costUsd, Tokens tokens, long requests,
        Map<String, Long> outcomes, long outcomesTotal, BigDecimal costPerOutcomeUsd, List<ToolCost> byTool,
        List<ModelCost> byModel, long activeMembers, long unpricedEvents) {

    /** Tokens by type. */
    public record Tokens(long input, long output, long cacheRead, long cacheWrite) {
    }

    /** Spend on one tool. */
    public record ToolCost(String tool, BigDecimal costUsd) {
    }

    /** Spend and tokens (all types) on one model. */
    public record ModelCost(String model, BigDecimal costUsd, long tokens) {
    }
}
