package dev.yardstick.digest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The weekly digest. Prefix {@code yardstick.digest}. */
@ConfigMapping(prefix = "yardstick.digest")
public interface DigestConfig {

    /** {@code YARDSTICK_DIGEST_ENABLED}: whether digests go out on schedule. */
    @WithDefault("true")
    boolean enabled();

    /** {@code YARDSTICK_DIGEST_EVERY}: how often due digests are looked for. */
    @WithDefault("1m")
    Duration every();
}
