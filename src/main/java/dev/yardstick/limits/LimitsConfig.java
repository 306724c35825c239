package dev.yardstick.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the vendor caps that follow team budgets, prefix {@code yardstick.limits} (docs/limits.md). Keys and
 * base URLs map from the vendors' usual env var names in application.properties, the same ones the usage pullers
 * read; a source whose key is unset takes no links.
 */
@ConfigMapping(prefix = "yardstick.limits")
public interface LimitsConfig {

    /**
     * {@code YARDSTICK_LIMITS_SYNC_EVERY}: how often every linked cap is read back and the caps Yardstick wants are
     * written again where they changed (a week starting, a cap changed in a vendor's console).
     */
    @WithDefault("5m")
    Duration syncEvery();

    /**
     * {@code YARDSTICK_LIMITS_MAX_WEEKLY_USD}: the highest weekly cap Yardstick writes, whatever the team's budget;
     * unset: no ceiling.
     */
    Optional<BigDecimal> maxWeeklyUsd();

    /** {@code YARDSTICK_LIMITS_WRITE_EVERY}: how often a replica looks for cap writes that are due. */
    @WithDefault("2s")
    String writeEvery();

    /** {@code YARDSTICK_LIMITS_TIMEOUT}: timeout of one request to a vendor. */
    @WithDefault("20s")
    Duration timeout();

    /** LiteLLM proxy. */
    LiteLlm litellm();

    /** Anthropic Admin API. */
    Keyed anthropic();

    /** OpenAI Admin API. */
    Keyed openai();

    /** GitHub budgets REST API. */
    GitHub github();

    /** LiteLLM: the proxy's URL and master key. */
    interface LiteLlm {

        /** {@code LITELLM_URL}: the proxy's base URL, such as {@code https://litellm.example.com}. */
        Optional<String> url();

        /** {@code LITELLM_MASTER_KEY}: the proxy's master key (or an admin key that may update teams). */
        Optional<String> masterKey();

        /**
         * {@code LITELLM_WEBHOOK_SECRET}: the token LiteLLM's alerting webhook puts in its URL
         * ({@code WEBHOOK_URL=https://<host>/webhooks/litellm?token=<secret>}); unset: the webhook is off.
         */
        Optional<String> webhookSecret();
    }

    /** A vendor's admin key and base URL. */
    interface Keyed {

        /** {@code ANTHROPIC_ADMIN_KEY} / {@code OPENAI_ADMIN_KEY}: the organisation's admin key; unset: off. */
        Optional<String> adminKey();

        /** {@code ANTHROPIC_API_URL} / {@code OPENAI_API_URL}: the API's base URL; tests point it at loopback. */
        String apiUrl();
    }

    /** GitHub: a token with billing write, the organisation and the API's base URL. */
    interface GitHub {

        /** {@code GITHUB_TOKEN}: a token of an organisation owner or billing manager that may update budgets. */
        Optional<String> token();

        /** {@code GITHUB_ORG}: the organisation whose Copilot budget is linked. */
        Optional<String> org();

        /** {@code GITHUB_API_URL}: the REST API's base URL. */
        @WithDefault("https://api.github.com")
        String apiUrl();
    }
}
