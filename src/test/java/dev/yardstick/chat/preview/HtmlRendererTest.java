package dev.yardstick.chat.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.ChatMessage.Button;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The message template: every block as the preview drew it before templates, and nothing injected left raw. */
class HtmlRendererTest {

    private static final String EVIL = "<script>alert('x')</script> & \"q\" **b<i>** _i&_ a_b_c\nnext";
    private static final String EVIL_TEXT = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
            + "<strong>b&lt;i&gt;</strong> <em>i&amp;</em> a_b_c<br>next";
    private static final String EVIL_PLAIN = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
            + "**b&lt;i&gt;** _i&amp;_ a_b_c\nnext";

    @Test
    void textBlocksAreEscapedBeforeTheirInlineMarkup() {
        String html = HtmlRenderer.html(new ChatMessage("t", List.of(new ChatMessage.Header(EVIL),
                new ChatMessage.Paragraph(EVIL), new ChatMessage.Facts(List.of(new ChatMessage.Fact(EVIL, EVIL),
                        new ChatMessage.Fact("Spend", null))),
                new ChatMessage.Note(EVIL), new ChatMessage.Divider())), c -> "/c/" + c.title());
        assertEquals("<h3>" + EVIL_TEXT + "</h3>\n<p>" + EVIL_TEXT + "</p>\n<table class=\"facts\">\n<tr><th>"
                + EVIL_TEXT + "</th><td>" + EVIL_TEXT + "</td></tr>\n<tr><th>Spend</th><td></td></tr>\n</table>\n"
                + "<p class=\"note\">" + EVIL_TEXT + "</p>\n<hr>\n", html);
        assertFalse(html.contains("<script>"), html);
    }

    @Test
    void buttonsAreFormsThatPressThemOrInertAndChartsAreImages() {
        ChatMessage message = new ChatMessage("t", List.of(
                new ChatMessage.Buttons(List.of(new Button("act<'>", EVIL, "v\"1", "primary\"><x"),
                        new Button(null, "Plain", null, null))),
                new ChatMessage.Chart("T", EVIL, "b", "l", List.of())));
        String pressed = HtmlRenderer.html(message, c -> "/c/" + c.title() + ".png?a=<&>",
                b -> b.action() == null ? null : new HtmlRenderer.Press("TOK", "42", b.action(), b.value()));
        String inert = "<button type=\"button\" disabled title=\"Buttons work in the messages of a person\" "
                + "class=\"plain\">Plain</button>";
        String chart = "<figure><img src=\"/c/T.png?a=&lt;&amp;&gt;\" width=\"800\" height=\"400\" alt=\"" + EVIL_PLAIN
                + "\" title=\"" + EVIL_PLAIN + "\"></figure>\n";
        assertEquals("<div class=\"buttons\"><form method=\"post\" action=\"/preview/press\" class=\"press\">"
                + "<input type=\"hidden\" name=\"csrf\" value=\"TOK\"><input type=\"hidden\" name=\"as\" value=\"42\">"
                + "<input type=\"hidden\" name=\"action\" value=\"act&lt;&#39;&gt;\">"
                + "<input type=\"hidden\" name=\"value\" value=\"v&quot;1\">"
                + "<button type=\"submit\" class=\"primary&quot;&gt;&lt;x\">" + EVIL_PLAIN + "</button></form>" + inert
                + "</div>\n" + chart, pressed);
        assertEquals("<div class=\"buttons\"><button type=\"button\" disabled title=\"Buttons work in the messages of "
                + "a person\" class=\"primary&quot;&gt;&lt;x\">" + EVIL_PLAIN + "</button>" + inert + "</div>\n"
                + chart,
                HtmlRenderer.html(message, c -> "/c/" + c.title() + ".png?a=<&>"));
    }
}
