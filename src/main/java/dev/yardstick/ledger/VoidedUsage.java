package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one void took out of the ledger's usage.
 *
 * @param voidId   the void's record ({@code GET /api/v1/voids})
 * @param events   how many usage events it voided
 * @param costUsd  their cost
 * @param days     the rollup days it changed, per team (days in the team's timezone)
 * @param sessions the sessions whose live figures it changed, each from the earliest minute it changed
 */
public record VoidedUsage(long voidId, int events, BigDecimal costUsd, Map<String, Set<LocalDate>> days,
        List<LiveUsage.Session> sessions) {
}
