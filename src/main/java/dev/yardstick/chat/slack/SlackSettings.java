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

    /**
     * {@code SLACK_SCOPES}: bot scopes requested at install, only what Yardstick needs by default; the history scopes
     * are added by {@link #settleWithHistory()}.
     */
    @WithDefault("commands,chat:write,files:write,im:write,users:read,users:read.email,usergroups:read")
    String scopes();

    /**
     * {@code SLACK_SETTLE_WITH_HISTORY}: whether a message whose send is in doubt after a crash or a timeout is looked
     * for in the conversation's history before it is sent again (exactly once), which needs the history scopes
     * {@link #HISTORY_SCOPES} (added to the scopes requested at install). Off by default: such a message is sent
     * again, and may then show twice.
     */
    @WithDefault("false")
    boolean settleWithHistory();

    /** The scopes that let Yardstick read the conversations it posts to, to settle sends in doubt. */
    String HISTORY_SCOPES = "channels:history,groups:history,im:history";

    /** The bot scopes asked for at install: {@link #scopes()}, and the history scopes when settling with them. */
    default String installScopes() {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        for (String s : scopes().split(",")) {
            if (!s.isBlank()) {
                all.add(s.trim());
            }
        }
        if (settleWithHistory()) {
            all.addAll(java.util.List.of(HISTORY_SCOPES.split(",")));
        }
        return String.join(",", all);
    }

    /** {@code SLACK_API_URL}: base URL of the Slack Web API (a fake one in tests); ends with a slash. */
    @WithDefault("https://slack.com/api/")
    String apiUrl();

    /** Whether the app runs in distributed (OAuth) mode. */
    default boolean oauth() {
        return clientId().filter(s -> !s.isBlank()).isPresent() && clientSecret().filter(s -> !s.isBlank()).isPresent();
    }
}
