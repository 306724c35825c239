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

    /** The weekly digest. */
    Digest digest();

    /** The delivery outbox. */
    Outbox outbox();

    /** The local preview of messages ({@code GET /preview}). */
    Preview preview();

    /** Runaway-agent and budget alerts. */
    Alerts alerts();

    /** Runaway-agent and budget alerts (thresholds are team settings). */
    interface Alerts {

        /**
         * {@code YARDSTICK_ALERTS_ENABLED}: whether usage is watched for runaway sessions and budget
         * thresholds. Off, ingest keeps no per-minute session figures and no alert goes out.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * {@code YARDSTICK_ALERTS_SWEEP_EVERY}: how often all recently active sessions and budgets are
         * checked again, besides the check right after each ingest (catches night-time sessions that
         * keep going, and checks lost when a replica stopped right after an ingest).
         */
        @WithDefault("1m")
        Duration sweepEvery();
    }

    /** Webhooks from GitHub, Linear and Jira ({@code POST /webhooks/*}; docs/connectors.md). */
    Webhooks webhooks();

    /**
     * Secrets of the webhook sources. Each maps from its own env var (see application.properties);
     * a source whose secret is unset answers 503.
     */
    interface Webhooks {

        /** {@code GITHUB_WEBHOOK_SECRET}: the secret of the GitHub webhook (HMAC-SHA256 signature). */
        Optional<String> githubSecret();

        /** {@code LINEAR_WEBHOOK_SECRET}: the signing secret Linear shows for the webhook. */
        Optional<String> linearSecret();

        /** {@code JIRA_WEBHOOK_SECRET}: a shared token in the Jira webhook's URL or header. */
        Optional<String> jiraSecret();
    }

    /** The delivery outbox. */
    interface Outbox {

        /**
         * {@code YARDSTICK_OUTBOX_LEASE}: how long a worker holds a message it is sending. A worker
         * that dies mid-send releases it when the lease ends; another then checks the platform for
         * the message before sending it again. A live worker renews the lease of the messages it holds
         * every third of it, so a slow platform never lets a message it is still sending go to another
         * replica. Keep it at least twice {@link #sendTimeout()} (a warning is logged otherwise).
         */
        @WithDefault("2m")
        Duration lease();

        /**
         * {@code YARDSTICK_OUTBOX_SEND_TIMEOUT}: the longest one call to a chat platform may take (connect,
         * send and read its answer). A call that times out is in doubt: before the message is sent
         * again, the platform is checked for it.
         */
        @WithDefault("30s")
        Duration sendTimeout();

        /**
         * {@code YARDSTICK_OUTBOX_WORKERS}: how many messages one replica sends at once (to different
         * channels; one channel still gets one message per second). More keep a slow platform from
         * holding everything up.
         */
        @WithDefault("4")
        int workers();
    }

    /** The local preview of messages. */
    interface Preview {

        /**
         * {@code YARDSTICK_PREVIEW_ENABLED}: with no chat platform configured, keep every message
         * for {@code GET /preview} (loopback clients only) instead of dropping it.
         */
        @WithDefault("true")
        boolean enabled();
    }

    /** Schedules of the background jobs (durations such as {@code 2s}, {@code 15m}, {@code 1h}). */
    Jobs jobs();

    /** The weekly digest. */
    interface Digest {

        /** {@code YARDSTICK_DIGEST_ENABLED}: whether digests go out on schedule. */
        @WithDefault("true")
        boolean enabled();

        /** {@code YARDSTICK_DIGEST_EVERY}: how often due digests are looked for. */
        @WithDefault("1m")
        Duration every();
    }

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

    /** Limits of one ingest request. */
    interface Ingest {

        /** {@code YARDSTICK_INGEST_MAX_EVENTS}: most events in one request. */
        @WithDefault("10000")
        int maxEvents();

        /** {@code YARDSTICK_INGEST_MAX_BYTES}: largest request body, in bytes. */
        @WithDefault("10485760")
        long maxBytes();
    }
}
