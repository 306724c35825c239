package dev.yardstick.chat.teams;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * Microsoft Teams settings, prefix {@code teams} ({@code TEAMS_*} env vars): the Azure Bot's app
 * registration. Without an app id the bot is off and {@code POST /api/messages} answers 503.
 */
@ConfigMapping(prefix = "teams")
public interface TeamsSettings {

    /** {@code TEAMS_APP_ID}: the bot's Microsoft App ID (the audience of Bot Framework tokens). */
    Optional<String> appId();

    /** {@code TEAMS_APP_PASSWORD}: the client secret of the bot's app registration. */
    Optional<String> appPassword();

    /** {@code TEAMS_TENANT_ID}: the Entra tenant of the single-tenant app registration. */
    Optional<String> tenantId();

    /** {@code TEAMS_OPENID_METADATA_URL}: where the Bot Framework publishes its token-signing keys. */
    @WithDefault("https://login.botframework.com/v1/.well-known/openidconfiguration")
    String openidMetadataUrl();

    /** {@code TEAMS_LOGIN_URL}: the Microsoft identity platform, where the bot gets its own tokens. */
    @WithDefault("https://login.microsoftonline.com")
    String loginUrl();

    /** Whether the bot is configured: an app id (inbound) and a password and tenant (outbound). */
    default boolean inbound() {
        return appId().filter(s -> !s.isBlank()).isPresent();
    }

    /** Whether the bot can send: app id, password and tenant are all set. */
    default boolean outbound() {
        return inbound() && appPassword().filter(s -> !s.isBlank()).isPresent()
                && tenantId().filter(s -> !s.isBlank()).isPresent();
    }
}
