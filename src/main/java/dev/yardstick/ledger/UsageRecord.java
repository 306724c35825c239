package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A validated usage event, as the ingest API hands it to the ledger.
 *
 * @param costUsd the reported cost, or {@code null} to compute it from the pricing table
 * @param team    the explicit team key, or {@code null} for the member's team
 */
public record UsageRecord(String id, Instant time, String user, String team, String tool, String model,
        long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens,
        BigDecimal costUsd, int requests, String sessionId) {
}
