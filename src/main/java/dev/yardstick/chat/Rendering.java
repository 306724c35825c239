package dev.yardstick.chat;

import com.fasterxml.jackson.databind.JsonNode;

/** A platform's rendering of a neutral message as JSON (Slack's Block Kit blocks), for APIs that show it. */
public interface Rendering {

    /** The platform, as in {@link ChatTransport#platform()}. */
    String platform();

    /** The message in the platform's own JSON. */
    JsonNode render(ChatMessage message);
}
