package dev.yardstick.chat.preview;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The local preview of messages. Prefix {@code yardstick.preview}. */
@ConfigMapping(prefix = "yardstick.preview")
public interface PreviewConfig {

    /**
     * {@code YARDSTICK_PREVIEW_ENABLED}: with no chat platform configured, keep every message
     * for {@code GET /preview} (loopback clients only) instead of dropping it.
     */
    @WithDefault("true")
    boolean enabled();
}
