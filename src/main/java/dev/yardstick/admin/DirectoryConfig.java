package dev.yardstick.admin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The directory: people and teams. Prefix {@code yardstick.directory}. */
@ConfigMapping(prefix = "yardstick.directory")
public interface DirectoryConfig {

    /**
     * {@code YARDSTICK_DIRECTORY_SYNC_EVERY}: how often teams linked to a Slack user group take the group's members
     * ({@link SlackGroupSync}); it also runs once after each start.
     */
    @WithDefault("1h")
    Duration syncEvery();
}
