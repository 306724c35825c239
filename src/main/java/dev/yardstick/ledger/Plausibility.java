package dev.yardstick.ledger;

import dev.yardstick.YardstickConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;

/**
 * The limits of what one usage event may plausibly carry, the same for every way in that books usage as it
 * happens (the ingest API, OTLP, per-call pulled events); see {@code docs/api.md#limits}. Within
 * {@link Bounds} (what the ledger can store at all) an event is still refused when
 *
 * <ul>
 * <li>its cost, sent or computed from the pricing table, is above {@code YARDSTICK_INGEST_MAX_EVENT_COST_USD};
 * <li>its input, output and cache-write tokens together are more than
 * {@code YARDSTICK_INGEST_MAX_TOKENS_PER_REQUEST} per request ({@code requests}, at least 1);
 * <li>its cache-read tokens are more than {@code YARDSTICK_INGEST_MAX_CACHE_READ_TOKENS_PER_REQUEST} per request.
 * </ul>
 *
 * The checks are in memory (the pricing table is cached), so the ways in call them per event before the batch
 * reaches the ledger: a refused event is never half-written and reaches no alert.
 */
@ApplicationScoped
public class Plausibility {

    @Inject
    YardstickConfig config;
    @Inject
    Pricing pricing;

    private BigDecimal maxCost;
    private long maxTokens;
    private long maxCacheRead;

    @PostConstruct
    void init() {
        maxCost = config.ingest().maxEventCostUsd();
        maxTokens = config.ingest().maxTokensPerRequest();
        maxCacheRead = config.ingest().maxCacheReadTokensPerRequest();
        if (maxCost.signum() <= 0 || maxCost.compareTo(Bounds.MAX_COST_USD) >= 0) {
            throw new IllegalStateException("YARDSTICK_INGEST_MAX_EVENT_COST_USD must be above 0 and below "
                    + Bounds.MAX_COST_USD.toPlainString() + ", not " + maxCost.toPlainString());
        }
        if (maxTokens <= 0 || maxCacheRead <= 0) {
            throw new IllegalStateException("YARDSTICK_INGEST_MAX_TOKENS_PER_REQUEST and "
                    + "YARDSTICK_INGEST_MAX_CACHE_READ_TOKENS_PER_REQUEST must be above 0");
        }
    }

    /**
     * Why the event is implausible, or {@code null} when it is within every limit: for events that stand for a
     * known number of requests ({@code requests}; 0 is judged as 1).
     */
    public String violation(UsageRecord u) {
        long requests = Math.max(1, u.requests());
        long tokens = u.inputTokens() + u.outputTokens() + u.cacheWriteTokens(); // each at most Bounds.MAX_COUNT
        if (tokens > times(maxTokens, requests)) {
            return "implausible: " + tokens + " input, output and cache-write tokens in " + requests
                    + (requests == 1 ? " request" : " requests") + ", more than the limit of " + maxTokens
                    + " per request";
        }
        if (u.cacheReadTokens() > times(maxCacheRead, requests)) {
            return "implausible: " + u.cacheReadTokens() + " cache-read tokens in " + requests
                    + (requests == 1 ? " request" : " requests") + ", more than the limit of " + maxCacheRead
                    + " per request";
        }
        return costViolation(u);
    }

    /**
     * Why the event's cost is implausible, or {@code null}: the cost limit alone, for usage whose request count
     * is not known (OTLP metrics).
     */
    public String costViolation(UsageRecord u) {
        if (u.costUsd() != null) {
            return u.costUsd().compareTo(maxCost) > 0
                    ? "implausible: a cost of " + usd(u.costUsd()) + " USD, more than the limit of "
                            + usd(maxCost) + " USD for one event"
                    : null;
        }
        BigDecimal computed = pricing.lookup(u.model()).map(u::cost).orElse(null);
        return computed != null && computed.compareTo(maxCost) > 0
                ? "implausible: its tokens cost " + usd(computed) + " USD at the pricing table's prices for "
                        + u.model() + ", more than the limit of " + usd(maxCost) + " USD for one event"
                : null;
    }

    /** {@code a * b}, or {@link Long#MAX_VALUE} when that overflows. */
    private static long times(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    private static String usd(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }
}
