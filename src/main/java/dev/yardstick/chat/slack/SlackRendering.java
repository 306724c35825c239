package dev.yardstick.chat.slack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Rendering;
import jakarta.enterprise.context.ApplicationScoped;

/** Messages as Slack Block Kit blocks. */
@ApplicationScoped
public class SlackRendering implements Rendering {

    @jakarta.inject.Inject
    SlackTransport transport;

    @Override
    public String platform() {
        return "slack";
    }

    @Override
    public JsonNode render(ChatMessage message) {
        return BlockKit.blocks(message, transport.images());
    }
}
