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
            @JsonSubTypes.Type(value = Chart.class, name = "chart"),
            @JsonSubTypes.Type(value = Code.class, name = "code"),
            @JsonSubTypes.Type(value = Inputs.class, name = "inputs"),
            @JsonSubTypes.Type(value = Live.class, name = "live")})
    public sealed interface Block permits Header, Paragraph, Facts, Note, Buttons, Divider, Chart, Code, Inputs, Live {
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
     * A chart of a few points: bars on the left axis and a line on the right one (the digest's spend
     * and shipped work per week). Carried as data; each platform draws it when it delivers (as a PNG
     * for Slack and the preview).
     *
     * @param altText   what the chart shows, in words, for people who cannot see it
     * @param barsLabel the name of the bars' series and axis
     * @param lineLabel the name of the line's series and axis
     * @param points    left to right
     */
    public record Chart(String title, String altText, String barsLabel, String lineLabel, List<Point> points)
            implements
                Block {
    }

    /** One point of a {@link Chart}: a label on the x axis, a bar and a line value. */
    public record Point(String label, java.math.BigDecimal bar, long line) {
    }

    /** A horizontal rule. */
    public record Divider() implements Block {
    }

    /** Lines to copy exactly (a command, a settings file): shown as they are, in a fixed-width font, no markup. */
    public record Code(String text) implements Block {
    }

    /**
     * A form to fill in right in the message, on platforms that show forms in messages (a Teams card, the preview);
     * Slack opens forms as modals instead and shows nothing for it.
     *
     * @param errors per field, what was wrong with the values shown (empty when none)
     */
    public record Inputs(Form form, java.util.Map<String, String> errors) implements Block {
    }

    /**
     * Shows nothing: says that several people hold copies of this message (the managers of a team), and that a
     * platform which can ask for a message's current version when someone looks at it (Teams' Universal Actions
     * {@code refresh}) asks with this action and value, the answer being the feature's {@link Reply#card()}. Platforms
     * that update every copy in place instead (Slack) ignore it.
     *
     * @param members the members who hold a copy (their views are refreshed)
     */
    public record Live(String action, String value, List<Long> members) implements Block {
    }

    /** A message holding a form to fill in, with what was wrong with its values last time (per field). */
    public static ChatMessage form(Form form, java.util.Map<String, String> errors) {
        return new ChatMessage(form.title(), List.of(new Inputs(form, java.util.Map.copyOf(errors))));
    }

    /** A one-paragraph message. */
    public static ChatMessage text(String text) {
        return builder(text).paragraph(text).build();
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

        public Builder chart(String title, String altText, String barsLabel, String lineLabel, List<Point> points) {
            blocks.add(new Chart(title, altText, barsLabel, lineLabel, List.copyOf(points)));
            return this;
        }

        public Builder code(String s) {
            blocks.add(new Code(s));
            return this;
        }

        /** Marks the message as one several members hold copies of: see {@link Live}. */
        public Builder live(String action, String value, List<Long> members) {
            blocks.add(new Live(action, value, List.copyOf(members)));
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
