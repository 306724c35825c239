package dev.yardstick.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * A team's pull requests and resolved tickets of one week, each with its AI cost: never its author or its title.
 *
 * @param week ISO week, {@code 2026-W49}; {@code from} and {@code to} its Monday and Sunday, in the team's timezone
 */
public record Shipped(String team, String week, LocalDate from, LocalDate to, List<PullRequest> pullRequests,
        List<Ticket> tickets) {

    /**
     * A pull request merged, closed unmerged, or a revert.
     *
     * @param status    {@code merged}, {@code closed} (unmerged) or {@code reverted} (the pull request is a revert,
     *                  of {@code reverts} when known), as the summary's {@code prSurvival} counts them
     * @param aiCostUsd the spend of the sessions linked to its head branch, or null when none was linked
     * @param reverts   the pull request a revert reverts ({@code owner/name#12}), absent otherwise
     */
    public record PullRequest(String repository, Integer number, String status, BigDecimal aiCostUsd,
            boolean aiAssisted, @JsonInclude(JsonInclude.Include.NON_NULL) String reverts) {
    }

    /**
     * A resolved ticket.
     *
     * @param key       {@code ENG-123}, or null when the tracker sent none
     * @param aiCostUsd the spend of the sessions on branches naming the key, or null when none was linked
     */
    public record Ticket(String key, BigDecimal aiCostUsd, boolean aiAssisted) {
    }

    /** Pull requests' AI costs: how many merged, and the known costs among them. */
    public record PrCosts(long merged, List<BigDecimal> known) {

        /** The median of the known costs, or null when none is known. */
        public BigDecimal median() {
            if (known.isEmpty()) {
                return null;
            }
            List<BigDecimal> sorted = known.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1
                    ? sorted.get(n / 2)
                    : sorted.get(n / 2 - 1).add(sorted.get(n / 2)).divide(BigDecimal.valueOf(2));
        }
    }
}
