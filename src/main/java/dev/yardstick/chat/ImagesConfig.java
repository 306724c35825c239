package dev.yardstick.chat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Chart images served at signed, expiring URLs ({@code YARDSTICK_PUBLIC_URL} + {@code /images/...}). Prefix
 * {@code yardstick.images}.
 */
@ConfigMapping(prefix = "yardstick.images")
public interface ImagesConfig {

    /**
     * {@code YARDSTICK_IMAGES_SECRET}: the key image URLs are signed with (HMAC-SHA256), at least 32 characters.
     * Unset: one is generated on first use and kept in the database, shared by every replica. Changing it makes
     * every image link handed out before answer 404.
     */
    Optional<String> secret();

    /**
     * {@code YARDSTICK_IMAGES_TEAM_EXPIRY}: how long the link of a team's chart (the digest's) works, so a channel's
     * history keeps its pictures for a while.
     */
    @WithDefault("30d")
    Duration teamExpiry();

    /**
     * {@code YARDSTICK_IMAGES_PERSONAL_EXPIRY}: how long the link of a person's own chart works (App Home,
     * {@code /ai-spend}); both are drawn afresh each time they are shown.
     */
    @WithDefault("7d")
    Duration personalExpiry();
}
