package dev.yardstick.chat.slack;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * Slack settings, prefix {@code slack} ({@code SLACK_*} env vars). With a bot token the app serves
 * one workspace; with a client id and secret it is a distributed app installed through OAuth.
 */
@ConfigMapping(prefix = "slack")
public interface SlackSettings {

    /** {@code SLACK_SIGNING_SECRET}: verifies that requests come from Slack. Without it Slack is off. */
    Optional<String> signingSecret();

    /** {@code SLACK_BOT_TOKEN}: the {@code xoxb-} token of a single-workspace install. */
    Optional<String> botToken();

    /** {@code SLACK_CLIENT_ID}: distributed (OAuth) mode. */
    Optional<String> clientId();

    /** {@code SLACK_CLIENT_SECRET}: distributed (OAuth) mode. */
    Optional<String> clientSecret();

    /** {@code SLACK_REDIRECT_URI}: the OAuth redirect URL, when the app has several. */
    Optional<String> redirectUri();

    /** {@code SLACK_SCOPES}: bot scopes requested at install. */
    @WithDefault("commands,chat:write,im:write,users:read,users:read.email,usergroups:read,channels:history,groups:history,im:history")
    String scopes();

    /** {@code SLACK_API_URL}: base URL of the Slack Web API (a fake one in tests); ends with a slash. */
    @WithDefault("https://slack.com/api/")
    String apiUrl();

    /** Whether the app runs in distributed (OAuth) mode. */
    default boolean oauth() {
        return clientId().filter(s -> !s.isBlank()).isPresent() && clientSecret().filter(s -> !s.isBlank()).isPresent();
    }
}
