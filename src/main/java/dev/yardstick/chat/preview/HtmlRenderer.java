package dev.yardstick.chat.preview;

import dev.yardstick.chat.ChartPng;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Form;
import io.quarkus.qute.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Renders the neutral {@link ChatMessage} as an HTML fragment for the local preview, with the template
 * {@code templates/preview/message.html}.
 */
public final class HtmlRenderer {

    private static final Template MESSAGE = PreviewTemplates.get("message.html");
    /** The action under which a form's submission is asked for through {@code press}. */
    static final String FORM = "form.submit";

    private HtmlRenderer() {
    }

    /** What a button's form posts to press it as a person. */
    public record Press(String csrf, String as, String action, String value) {
    }

    /** Which part of the template draws a block. */
    enum Kind {
        HEADER, PARAGRAPH, FACTS, NOTE, BUTTONS, CHART, DIVIDER, CODE, FORM
    }

    /** A block as the template reads it. */
    sealed interface Block permits Text, Facts, Buttons, Chart, Divider, Code, FormBlock {

        Kind kind();
    }

    /** A header, paragraph or note; {@code html} is its text with the inline markup, escaped. */
    record Text(Kind kind, String html) implements Block {
    }

    /** Facts; each row's label and value are HTML, escaped. */
    record Facts(List<Row> rows) implements Block {

        @Override
        public Kind kind() {
            return Kind.FACTS;
        }
    }

    record Row(String label, String value) {
    }

    record Buttons(List<Button> buttons) implements Block {

        @Override
        public Kind kind() {
            return Kind.BUTTONS;
        }
    }

    /** A button; with {@code press}, a form that presses it, otherwise inert. */
    record Button(String label, String style, Press press) {
    }

    record Chart(String src, String alt) implements Block {

        @Override
        public Kind kind() {
            return Kind.CHART;
        }

        public int width() {
            return ChartPng.WIDTH;
        }

        public int height() {
            return ChartPng.HEIGHT;
        }
    }

    record Divider() implements Block {

        @Override
        public Kind kind() {
            return Kind.DIVIDER;
        }
    }

    /** Text shown exactly as it is, in a monospace block (set-up lines, a token); escaped like every value. */
    record Code(String text) implements Block {

        @Override
        public Kind kind() {
            return Kind.CODE;
        }
    }

    /**
     * A form to fill in; with {@code press} (its csrf, the member it is posted as, and the form's id as value), a form
     * that posts to {@code /preview/form}, otherwise inert.
     */
    record FormBlock(String title, String submit, String context, List<Input> fields, Press press) implements Block {

        @Override
        public Kind kind() {
            return Kind.FORM;
        }
    }

    /** One field of a form: a text input, or a menu when it has choices; its error, or null. */
    record Input(String name, String label, String value, String placeholder, List<Option> choices, String error) {
    }

    record Option(String value, String label, boolean selected) {
    }

    /**
     * The message as HTML: headers, paragraphs, facts as a table, notes, inert buttons, charts.
     *
     * @param chartUrl where a chart of the message is served as a PNG
     */
    public static String html(ChatMessage message, Function<ChatMessage.Chart, String> chartUrl) {
        return html(message, chartUrl, button -> null);
    }

    /**
     * The message as HTML, each button a form that presses it with what {@code press} gives (null: inert).
     *
     * @param chartUrl where a chart of the message is served as a PNG
     */
    public static String html(ChatMessage message, Function<ChatMessage.Chart, String> chartUrl,
            Function<ChatMessage.Button, Press> press) {
        return MESSAGE.data("blocks", blocks(message, chartUrl, press)).render();
    }

    private static List<Block> blocks(ChatMessage message, Function<ChatMessage.Chart, String> chartUrl,
            Function<ChatMessage.Button, Press> press) {
        List<Block> out = new ArrayList<>();
        for (ChatMessage.Block b : message.blocks()) {
            if (b instanceof ChatMessage.Header h) {
                out.add(new Text(Kind.HEADER, inline(h.text())));
            } else if (b instanceof ChatMessage.Paragraph p) {
                out.add(new Text(Kind.PARAGRAPH, inline(p.text())));
            } else if (b instanceof ChatMessage.Facts f) {
                out.add(new Facts(f.facts().stream().map(x -> new Row(inline(x.label()), inline(x.value()))).toList()));
            } else if (b instanceof ChatMessage.Note n) {
                out.add(new Text(Kind.NOTE, inline(n.text())));
            } else if (b instanceof ChatMessage.Buttons b2) {
                out.add(new Buttons(b2.buttons().stream()
                        .map(x -> new Button(x.label(), x.style() == null ? "plain" : x.style(), press.apply(x)))
                        .toList()));
            } else if (b instanceof ChatMessage.Chart chart) {
                out.add(new Chart(chartUrl.apply(chart), chart.altText()));
            } else if (b instanceof ChatMessage.Divider) {
                out.add(new Divider());
            } else if (b instanceof ChatMessage.Code code) {
                out.add(new Code(code.text()));
            } else if (b instanceof ChatMessage.Inputs inputs) {
                Form form = inputs.form();
                List<Input> fields = form.fields().stream().map(f -> new Input(f.name(), f.label(),
                        f.initial() == null ? "" : f.initial(), f.placeholder() == null ? "" : f.placeholder(),
                        f.choices().stream().map(c -> new Option(c.value(), c.label(), c.value().equals(f.initial())))
                                .toList(),
                        inputs.errors().get(f.name()))).toList();
                out.add(new FormBlock(form.title(), form.submit(), form.context() == null ? "" : form.context(),
                        fields, press.apply(new ChatMessage.Button(FORM, form.submit(), form.id(), null))));
            }
        }
        return out;
    }

    /** Neutral markup to HTML: escapes, then {@code **bold**}, {@code _italic_} and line breaks. */
    static String inline(String neutral) {
        return escape(neutral).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>")
                .replaceAll("(?<![\\w])_(.+?)_(?![\\w])", "<em>$1</em>").replace("\n", "<br>");
    }

    /** Escapes text for HTML content and attribute values, as the templates escape every value. */
    static String escape(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                        .replace("'", "&#39;");
    }
}
