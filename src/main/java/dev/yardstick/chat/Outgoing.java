package dev.yardstick.chat;

/**
 * One logical outbound message, as queued in the outbox.
 *
 * @param dedupeKey names the logical message; queueing the same key twice sends it once
 * @param platform  {@code slack} or {@code teams}
 * @param operation what the transport does with it
 * @param workspace the Slack team id (or Teams tenant) whose credentials send it; may be null in
 *                  single-workspace mode
 * @param target    a channel or user id, or for {@link Operation#RESPOND} a response URL
 * @param updateOf  for {@link Operation#UPDATE}, the dedupe key of the message to replace
 * @param message   what to say
 */
public record Outgoing(String dedupeKey, String platform, Operation operation, String workspace, String target,
        String updateOf, ChatMessage message) {

    /** What a transport does with a message. */
    public enum Operation {
        /** Post to a channel, or to a person's DM when the target is a user id. */
        POST,
        /** Replace a message posted earlier under {@code updateOf}. */
        UPDATE,
        /** Answer a slash command or button privately through its response URL. */
        RESPOND,
        /** Publish a person's App Home. */
        HOME,
        /**
         * Upload the message's images (a chart) to a channel: no longer queued (a chart is part of its message);
         * rows queued before are posted as a message.
         */
        UPLOAD
    }
}
