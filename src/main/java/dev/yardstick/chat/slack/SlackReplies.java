package dev.yardstick.chat.slack;

import com.slack.api.bolt.response.Response;
import dev.yardstick.chat.ChatMessage;

/** Ack bodies that carry a private (ephemeral) reply, and the texts every listener shares. */
final class SlackReplies {

    private SlackReplies() {
    }

    /** An ack whose body is an ephemeral message to the person who ran the command. */
    static Response ephemeral(ChatMessage message) {
        return ephemeral(message, BlockKit.NO_IMAGES);
    }

    /** An ack whose body is an ephemeral message, its charts by the image URLs {@code images} gives. */
    static Response ephemeral(ChatMessage message, java.util.function.Function<ChatMessage.Chart, String> images) {
        return Response.builder().statusCode(200).contentType("application/json; charset=utf-8")
                .body(BlockKit.responseBody(message, false, images)).build();
    }

    /** What an unknown person sees: how to get linked, and nothing else. */
    static ChatMessage notLinked() {
        String text = "Yardstick doesn't know you yet, so it has no figures to show you. "
                + "Ask your Yardstick admin to add you as a member with the email address of your Slack profile; "
                + "after that, /ai-spend shows your own numbers, only to you.";
        return ChatMessage.builder(text).paragraph(text).build();
    }
}
