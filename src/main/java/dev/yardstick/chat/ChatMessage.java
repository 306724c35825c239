package dev.yardstick.chat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A platform-neutral chat message: composed once by the features, rendered to Slack Block Kit,
 * Teams Adaptive Cards or HTML by the {@code chat.*} renderers.
 *
 * <p>Text uses a tiny markup that every renderer understands: {@code **bold**} and {@code _italic_}.
 *
 * @param text   the plain-text fallback (notifications, screen readers)
 * @param blocks what the message shows, top to bottom
 */
public record ChatMessage(String text, List<Block> blocks) {

    /** One part of a message. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = Header.class, name = "header"),
            @JsonSubTypes.Type(value = Paragraph.class, name = "paragraph"),
            @JsonSubTypes.Type(value = Facts.class, name = "facts"),
            @JsonSubTypes.Type(value = Note.class, name = "note"),
            @JsonSubTypes.Type(value = Buttons.class, name = "buttons"),
            @JsonSubTypes.Type(value = Divider.class, name = "divider"),
            @JsonSubTypes.Type(value = Image.class, name = "image")})
    public sealed interface Block permits Header, Paragraph, Facts, Note, Buttons, Divider, Image {
    }

    /** A title line. */
    public record Header(String text) implements Block {
    }

    /** A paragraph of text. */
    public record Paragraph(String text) implements Block {
    }

    /** Label/value pairs shown as a compact grid. */
    public record Facts(List<Fact> facts) implements Block {
    }

    /** One label/value pair. */
    public record Fact(String label, String value) {
    }

    /** Small print under the content. */
    public record Note(String text) implements Block {
    }

    /** A row of buttons. */
    public record Buttons(List<Button> buttons) implements Block {
    }

    /**
     * A button; {@code action} names what it does, {@code value} what it applies to.
     *
     * @param style {@code primary}, {@code danger} or {@code null}
     */
    public record Button(String action, String label, String value, String style) {
    }

    /**
     * A picture, carried in the message itself (platforms upload it).
     *
     * @param altText what the picture shows, in words
     * @param png     the PNG bytes, base64-encoded
     */
    public record Image(String title, String altText, String png) implements Block {
    }

    /** A horizontal rule. */
    public record Divider() implements Block {
    }

    /** Starts a message with the given plain-text fallback. */
    public static Builder builder(String text) {
        return new Builder(text);
    }

    /** Builds a message block by block. */
    public static final class Builder {

        private final String text;
        private final List<Block> blocks = new ArrayList<>();

        private Builder(String text) {
            this.text = text;
        }

        /** Appends blocks of another message. */
        public Builder blocks(List<Block> more) {
            blocks.addAll(more);
            return this;
        }

        public Builder header(String s) {
            blocks.add(new Header(s));
            return this;
        }

        public Builder paragraph(String s) {
            blocks.add(new Paragraph(s));
            return this;
        }

        public Builder facts(List<Fact> facts) {
            blocks.add(new Facts(List.copyOf(facts)));
            return this;
        }

        public Builder note(String s) {
            blocks.add(new Note(s));
            return this;
        }

        public Builder buttons(Button... buttons) {
            blocks.add(new Buttons(List.of(buttons)));
            return this;
        }

        public Builder image(String title, String altText, byte[] png) {
            blocks.add(new Image(title, altText, java.util.Base64.getEncoder().encodeToString(png)));
            return this;
        }

        public Builder divider() {
            blocks.add(new Divider());
            return this;
        }

        public ChatMessage build() {
            return new ChatMessage(text, List.copyOf(blocks));
        }
    }
}
