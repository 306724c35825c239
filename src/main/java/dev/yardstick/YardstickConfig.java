package dev.yardstick;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Yardstick's own settings, prefix {@code yardstick}; each maps to a {@code YARDSTICK_*} env var. */
@ConfigMapping(prefix = "yardstick")
public interface YardstickConfig {

    /** {@code YARDSTICK_DATA_DIR}: where the embedded PostgreSQL keeps its data. */
    @WithDefault("data")
    Path dataDir();

    /** {@code YARDSTICK_ADMIN_TOKEN}: bearer token of the admin API. */
    Optional<String> adminToken();

    /**
     * {@code YARDSTICK_READER_TOKEN}: a second bearer token that may read team summaries, the organisation view
     * and rendered digests, and nothing else (nothing that names a person, no changes). Unset: no reader token.
     */
    Optional<String> readerToken();

    /**
     * {@code YARDSTICK_PUBLIC_URL}: the address people's laptops reach this service at, such as
     * {@code https://yardstick.example.com}; {@code ai-spend connect} puts it in the set-up lines it gives.
     */
    Optional<String> publicUrl();

    /** {@code YARDSTICK_PRICING_FILE}: a pricing table that replaces the shipped one. */
    Optional<Path> pricingFile();

    /** {@code YARDSTICK_RAW_RETENTION_DAYS}: days raw events are kept; rollups are kept for ever. */
    @WithDefault("90")
    int rawRetentionDays();

    /**
     * {@code YARDSTICK_DEMO}: seed a demo organisation at start and publish its latest digests
     * (to the local preview when no chat platform is configured).
     */
    @WithDefault("false")
    boolean demo();

    /** Ingest limits. */
    Ingest ingest();

    /** Schedules of the background jobs (durations such as {@code 2s}, {@code 15m}, {@code 1h}). */
    Jobs jobs();

    /** How often the background jobs run. */
    interface Jobs {

        /**
         * {@code YARDSTICK_JOBS_ENABLED}: whether this replica runs the periodic jobs (purge, expiry,
         * digests, pullers). Each job runs once per period across all replicas that have it on.
         */
        @WithDefault("true")
        boolean enabled();

        /** {@code YARDSTICK_JOBS_TICK}: how often a replica looks for due jobs. */
        @WithDefault("15s")
        String tick();

        /** {@code YARDSTICK_JOBS_FIRST_DELAY}: how long after start a replica first looks. */
        @WithDefault("30s")
        String firstDelay();

        /** {@code YARDSTICK_JOBS_OUTBOX_EVERY}: the outbox worker (it also runs after each new message). */
        @WithDefault("2s")
        String outboxEvery();

        /** {@code YARDSTICK_JOBS_RETENTION_EVERY}: the raw-event purge. */
        @WithDefault("1h")
        Duration retentionEvery();

        /** {@code YARDSTICK_JOBS_BUDGET_EXPIRY_EVERY}: expiry of pending budget requests. */
        @WithDefault("15m")
        Duration budgetExpiryEvery();
    }

    /** Limits of HTTP requests as a whole. */
    Http http();

    /** Limits of HTTP requests as a whole. */
    interface Http {

        /**
         * {@code YARDSTICK_HTTP_BODY_BYTES_IN_FLIGHT}: the request bodies being read at one time may add up to this
         * many bytes (each counted at its {@code Content-Length}); more answer 503 with {@code Retry-After}.
         */
        @WithDefault("67108864")
        long bodyBytesInFlight();
    }

    /** Limits of one ingest request, and of what one usage event may plausibly carry. */
    interface Ingest {

        /** {@code YARDSTICK_INGEST_MAX_EVENTS}: most events in one request. */
        @WithDefault("10000")
        int maxEvents();

        /** {@code YARDSTICK_INGEST_MAX_BYTES}: largest request body, in bytes. */
        @WithDefault("10485760")
        long maxBytes();

        /**
         * {@code YARDSTICK_INGEST_MAX_EVENT_COST_USD}: the most one usage event may cost, in US dollars, whether
         * the cost was sent or computed from the pricing table; a dearer event is rejected as implausible.
         * Above 0 and below 10^9.
         */
        @WithDefault("10000")
        java.math.BigDecimal maxEventCostUsd();

        /**
         * {@code YARDSTICK_INGEST_MAX_TOKENS_PER_REQUEST}: the most input, output and cache-write tokens (added up)
         * one usage event may carry per request it stands for ({@code requests}, at least 1); more is rejected as
         * implausible. Well above the largest context window plus output.
         */
        @WithDefault("2000000")
        long maxTokensPerRequest();

        /**
         * {@code YARDSTICK_INGEST_MAX_CACHE_READ_TOKENS_PER_REQUEST}: the most cache-read tokens one usage event may
         * carry per request it stands for ({@code requests}, at least 1); more is rejected as implausible.
         */
        @WithDefault("10000000")
        long maxCacheReadTokensPerRequest();
    }
}
