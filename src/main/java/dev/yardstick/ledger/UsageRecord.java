package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A validated usage event, as the ingest API hands it to the ledger.
 *
 * @param costUsd the reported cost, or {@code null} to compute it from the pricing table
 * @param team    the explicit team key, or {@code null} for the member's team
 * @param cacheWrite1hTokens how many of the {@code cacheWriteTokens} were one-hour cache writes; it only prices
 *                the event (not stored: the cache writes are counted in {@code cacheWriteTokens})
 */
public record UsageRecord(String id, Instant time, String user, String team, String tool, String model,
        long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens,
        BigDecimal costUsd, int requests, String sessionId, long cacheWrite1hTokens) {

    /** A usage event without one-hour cache writes. */
    public UsageRecord(String id, Instant time, String user, String team, String tool, String model,
            long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens,
            BigDecimal costUsd, int requests, String sessionId) {
        this(id, time, user, team, tool, model, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens,
                costUsd, requests, sessionId, 0);
    }

    /**
     * The cost of the event's tokens at {@code price}, one-hour cache writes and long-context tier included
     * ({@code requests} of 0 counts as 1).
     */
    public BigDecimal cost(Pricing.Price price) {
        return price.cost(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens,
                Math.max(1, requests));
    }
}
