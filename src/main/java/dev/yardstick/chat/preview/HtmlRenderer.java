package dev.yardstick.chat.preview;

import dev.yardstick.chat.ChartPng;
import dev.yardstick.chat.ChatMessage;
import java.util.function.Function;
import java.util.function.IntFunction;

/** Renders the neutral {@link ChatMessage} as an HTML fragment for the local preview. */
public final class HtmlRenderer {

    private HtmlRenderer() {
    }

    /**
     * The message as HTML: headers, paragraphs, facts as a table, notes, inert buttons, charts.
     *
     * @param chartUrl where the n-th chart of the message is served as a PNG
     */
    public static String html(ChatMessage message, IntFunction<String> chartUrl) {
        return html(message, chartUrl, button -> null);
    }

    /**
     * The message as HTML, its buttons drawn by {@code buttons} (a form that presses it; null: inert).
     *
     * @param chartUrl where the n-th chart of the message is served as a PNG
     */
    public static String html(ChatMessage message, IntFunction<String> chartUrl,
            Function<ChatMessage.Button, String> buttons) {
        StringBuilder out = new StringBuilder();
        int charts = 0;
        for (ChatMessage.Block b : message.blocks()) {
            if (b instanceof ChatMessage.Header h) {
                out.append("<h3>").append(inline(h.text())).append("</h3>\n");
            } else if (b instanceof ChatMessage.Paragraph p) {
                out.append("<p>").append(inline(p.text())).append("</p>\n");
            } else if (b instanceof ChatMessage.Facts f) {
                out.append("<table class=\"facts\">\n");
                for (ChatMessage.Fact fact : f.facts()) {
                    out.append("<tr><th>").append(inline(fact.label())).append("</th><td>")
                            .append(inline(fact.value())).append("</td></tr>\n");
                }
                out.append("</table>\n");
            } else if (b instanceof ChatMessage.Note n) {
                out.append("<p class=\"note\">").append(inline(n.text())).append("</p>\n");
            } else if (b instanceof ChatMessage.Buttons b2) {
                out.append("<div class=\"buttons\">");
                for (ChatMessage.Button button : b2.buttons()) {
                    String form = buttons.apply(button);
                    out.append(form != null
                            ? form
                            : "<button type=\"button\" disabled "
                                    + "title=\"Buttons work in the messages of a person\" class=\"" + style(button)
                                    + "\">"
                                    + escape(button.label()) + "</button>");
                }
                out.append("</div>\n");
            } else if (b instanceof ChatMessage.Chart chart) {
                out.append("<figure><img src=\"").append(escape(chartUrl.apply(charts++))).append("\" width=\"")
                        .append(ChartPng.WIDTH).append("\" height=\"").append(ChartPng.HEIGHT).append("\" alt=\"")
                        .append(escape(chart.altText())).append("\"><figcaption>").append(escape(chart.altText()))
                        .append("</figcaption></figure>\n");
            } else if (b instanceof ChatMessage.Divider) {
                out.append("<hr>\n");
            } else if (b instanceof ChatMessage.Code code) {
                out.append("<pre class=\"code\"><code>").append(escape(code.text())).append("</code></pre>\n");
            }
        }
        return out.toString();
    }

    /** The CSS class of a button: its style, or {@code plain}. */
    static String style(ChatMessage.Button button) {
        return button.style() == null ? "plain" : escape(button.style());
    }

    /** Neutral markup to HTML: escapes, then {@code **bold**}, {@code _italic_} and line breaks. */
    static String inline(String neutral) {
        return escape(neutral).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>")
                .replaceAll("(?<![\\w])_(.+?)_(?![\\w])", "<em>$1</em>").replace("\n", "<br>");
    }

    /** Escapes text for HTML content and attribute values. */
    public static String escape(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                        .replace("'", "&#39;");
    }
}
