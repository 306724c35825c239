package dev.yardstick.ingest;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * Secrets of the webhook sources. Each maps from its own env var (see application.properties);
 * a source whose secret is unset answers 503.
 *
 * <p>Prefix {@code yardstick.webhooks}.
 */
@ConfigMapping(prefix = "yardstick.webhooks")
public interface WebhooksConfig {

    /** {@code GITHUB_WEBHOOK_SECRET}: the secret of the GitHub webhook (HMAC-SHA256 signature). */
    Optional<String> githubSecret();

    /** {@code LINEAR_WEBHOOK_SECRET}: the signing secret Linear shows for the webhook. */
    Optional<String> linearSecret();

    /**
     * {@code JIRA_WEBHOOK_SECRET}: the secret of the Jira webhook, with which Jira Cloud signs each delivery
     * ({@code X-Hub-Signature: sha256=...}); accepted as a token in the URL or header when a delivery is unsigned.
     */
    Optional<String> jiraSecret();
}
