package dev.yardstick.chat;

import java.time.Duration;

/** Delivers outbox messages to one chat platform. Implementations live in {@code chat.<platform>}. */
public interface ChatTransport {

    /** The platform this transport serves, as in {@link Outgoing#platform()}. */
    String platform();

    /**
     * Sends one message.
     *
     * @param previous for {@link Outgoing.Operation#UPDATE}: where the original went; otherwise null
     */
    Result deliver(Outgoing message, Sent previous);

    /** The outcome of one attempt. */
    sealed interface Result permits Sent, RetryAfter, Failed {
    }

    /** Delivered; {@code id} and {@code channel} locate the message for later updates. */
    record Sent(String id, String channel) implements Result {
    }

    /** Rate-limited: try again after the given delay. */
    record RetryAfter(Duration delay) implements Result {
    }

    /** Not delivered; {@code permanent} failures are not retried. */
    record Failed(String error, boolean permanent) implements Result {
    }
}
