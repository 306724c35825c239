package dev.yardstick.pull;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the vendor usage pullers, prefix {@code yardstick.connectors}. Each source is on when
 * its admin key is set; keys and base URLs map from the vendors' usual env var names (see
 * application.properties and .env.example).
 */
@ConfigMapping(prefix = "yardstick.connectors")
public interface ConnectorsConfig {

    /** {@code YARDSTICK_CONNECTORS_EVERY}: how often each puller runs, across replicas. */
    @WithDefault("1h")
    Duration every();

    /**
     * {@code YARDSTICK_CONNECTORS_BACKFILL_DAYS}: on a source's first run, how many past days to pull
     * (at most the raw retention less one day).
     */
    @WithDefault("30")
    int backfillDays();

    /**
     * {@code YARDSTICK_CONNECTORS_SETTLE}: how long after a UTC day ends it counts as complete and
     * is pulled (vendors' reports lag behind by up to an hour or so).
     */
    @WithDefault("2h")
    Duration settle();

    /**
     * {@code YARDSTICK_CONNECTORS_API_KEY_TEAMS}: the team of usage made with API keys rather than by
     * a person, as {@code key=team,key=team} (key: the Anthropic API key name, the OpenAI API key id or
     * else project id, {@code cursor} for Cursor events without a user email). Unmapped keys count for
     * {@code unassigned}.
     */
    Optional<String> apiKeyTeams();

    /** {@code YARDSTICK_CONNECTORS_MAX_ATTEMPTS}: attempts per request on 429, 5xx and I/O errors. */
    @WithDefault("4")
    int maxAttempts();

    /** {@code YARDSTICK_CONNECTORS_BACKOFF}: the first wait after a 5xx or I/O error; doubles each time. */
    @WithDefault("2s")
    Duration backoff();

    /** {@code YARDSTICK_CONNECTORS_MAX_RETRY_AFTER}: the longest {@code Retry-After} honoured before giving up. */
    @WithDefault("120s")
    Duration maxRetryAfter();

    /** {@code YARDSTICK_CONNECTORS_TIMEOUT}: timeout of one request. */
    @WithDefault("60s")
    Duration timeout();

    /** Anthropic (Claude Code Analytics API). */
    Source anthropic();

    /** OpenAI (organization usage and costs). */
    Source openai();

    /** Cursor (Admin API). */
    Cursor cursor();

    /** GitHub Copilot (usage metrics and seats). */
    Copilot github();

    /** One vendor's admin key and base URL. */
    interface Source {

        /** The admin key ({@code ANTHROPIC_ADMIN_KEY}, {@code OPENAI_ADMIN_KEY}, {@code CURSOR_ADMIN_KEY}); unset: off. */
        Optional<String> adminKey();

        /** The API's base URL ({@code ANTHROPIC_API_URL}, ...); tests point it at loopback. */
        String apiUrl();
    }

    /** Cursor: the Admin API key and base URL, and the spacing of its requests. */
    interface Cursor extends Source {

        /**
         * {@code YARDSTICK_CONNECTORS_CURSOR_REQUEST_INTERVAL}: the least time between two requests to
         * the Cursor Admin API, which allows 20 requests a minute per team.
         */
        @WithDefault("3s")
        Duration requestInterval();
    }

    /** GitHub Copilot. */
    interface Copilot {

        /** {@code GITHUB_TOKEN}: a token that may read the organisation's Copilot metrics and seats; unset: off. */
        Optional<String> token();

        /** {@code GITHUB_API_URL}: the REST API's base URL. */
        @WithDefault("https://api.github.com")
        String apiUrl();

        /** {@code GITHUB_ORG}: the organisation whose Copilot usage is pulled. */
        Optional<String> org();

        /** {@code COPILOT_SEAT_PRICE_USD}: a seat's monthly price, spread over the days of the month. */
        @WithDefault("19")
        BigDecimal seatPriceUsd();
    }
}
