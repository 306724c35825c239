package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.util.List;

/**
 * One member's own totals over a range of days. Shown only to that member.
 *
 * @param tokens all token types added up
 */
public record MemberTotals(BigDecimal costUsd, long tokens, long requests, long outcomes,
        List<Summary.ModelCost> byModel) {
}
