package dev.yardstick.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One chat platform: how it addresses people and channels, and how it delivers outbox messages.
 * Implementations live in {@code chat.<platform>}; features never see them (they use {@link Messenger}).
 */
public interface ChatTransport {

    /** The platform this transport serves, as in {@link Outgoing#platform()}. */
    String platform();

    /** Whether the platform is configured (credentials set), so messages should go to it. */
    boolean active();

    /** Where this platform reaches a member privately (a DM), or empty when it doesn't know them. */
    Optional<Address> member(long memberId);

    /** The team's channel on this platform, or empty when the team has none here. */
    Optional<Address> teamChannel(String teamKey);

    /**
     * The shortest interval between two messages to one channel (or person), across replicas; the
     * outbox holds later messages back. Slack allows about one message per second per channel.
     */
    default Duration pace() {
        return Duration.ofSeconds(1);
    }

    /** Sends one message. */
    Result deliver(Outgoing message, Attempt attempt);

    /**
     * A place on the platform.
     *
     * @param workspace whose credentials send there (a Slack team id, a Teams tenant), or null
     * @param target    a channel, user or conversation id
     */
    record Address(String workspace, String target) {
    }

    /**
     * What the transport knows about this delivery attempt.
     *
     * @param previous     for {@link Outgoing.Operation#UPDATE}: where the original went; otherwise null
     * @param inDoubtSince when an earlier attempt began that ended without a known result (its
     *                     worker died mid-send, or the call timed out or lost its connection): the
     *                     message may already be on the platform, so look for it before sending again;
     *                     null when no attempt is in doubt
     */
    record Attempt(Sent previous, Instant inDoubtSince) {
    }

    /** The outcome of one attempt. */
    sealed interface Result permits Sent, RetryAfter, Failed {
    }

    /** Delivered; {@code id} and {@code channel} locate the message for later updates. */
    record Sent(String id, String channel) implements Result {
    }

    /** Rate-limited: try again after the given delay. */
    record RetryAfter(Duration delay) implements Result {
    }

    /**
     * Not delivered, or not known to be: {@code permanent} failures are not retried; {@code inDoubt}
     * ones (a timeout, a connection dropped before the answer, a server error) may have reached the
     * platform, so the next attempt looks for the message there first ({@link Attempt#inDoubtSince()}).
     */
    record Failed(String error, boolean permanent, boolean inDoubt) implements Result {

        /** A failure known not to have delivered the message. */
        public Failed(String error, boolean permanent) {
            this(error, permanent, false);
        }
    }
}
