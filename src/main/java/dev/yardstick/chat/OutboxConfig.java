package dev.yardstick.chat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The delivery outbox. Prefix {@code yardstick.outbox}. */
@ConfigMapping(prefix = "yardstick.outbox")
public interface OutboxConfig {

    /**
     * {@code YARDSTICK_OUTBOX_LEASE}: how long a worker holds a message it is sending. A worker
     * that dies mid-send releases it when the lease ends; another then checks the platform for
     * the message before sending it again. A live worker renews the lease of the messages it holds
     * every third of it, so a slow platform never lets a message it is still sending go to another
     * replica. Keep it at least twice {@link #sendTimeout()} (a warning is logged otherwise).
     */
    @WithDefault("2m")
    Duration lease();

    /**
     * {@code YARDSTICK_OUTBOX_SEND_TIMEOUT}: the longest one call to a chat platform may take (connect,
     * send and read its answer). A call that times out is in doubt: before the message is sent
     * again, the platform is checked for it.
     */
    @WithDefault("30s")
    Duration sendTimeout();

    /**
     * {@code YARDSTICK_OUTBOX_WORKERS}: how many messages one replica sends at once (to different
     * channels; one channel still gets one message per second). More keep a slow platform from
     * holding everything up.
     */
    @WithDefault("4")
    int workers();
}
