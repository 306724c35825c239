package dev.yardstick.chat.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Form;
import java.util.List;
import java.util.function.Function;

/** Renders the neutral {@link ChatMessage} as Slack Block Kit JSON. */
public final class BlockKit {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_FIELDS = 10;

    private BlockKit() {
    }

    /** The {@code blocks} array of a message, its charts in words (no image URLs). */
    public static ArrayNode blocks(ChatMessage message) {
        return blocks(message, NO_IMAGES);
    }

    /** Charts shown in words: no image can be fetched. */
    public static final Function<ChatMessage.Chart, String> NO_IMAGES = c -> null;

    /**
     * The {@code blocks} array of a message.
     *
     * @param images a chart's image URL (signed, expiring), or null where none can be served: the chart is then
     *               shown as its words
     */
    public static ArrayNode blocks(ChatMessage message, Function<ChatMessage.Chart, String> images) {
        ArrayNode blocks = MAPPER.createArrayNode();
        for (ChatMessage.Block b : message.blocks()) {
            if (b instanceof ChatMessage.Header h) {
                ObjectNode n = blocks.addObject().put("type", "header");
                n.set("text", plain(truncate(h.text(), 150)));
            } else if (b instanceof ChatMessage.Paragraph p) {
                ObjectNode n = blocks.addObject().put("type", "section");
                n.set("text", mrkdwn(convert(truncate(p.text(), 3000))));
            } else if (b instanceof ChatMessage.Facts f) {
                List<ChatMessage.Fact> facts = f.facts();
                for (int i = 0; i < facts.size(); i += MAX_FIELDS) {
                    ObjectNode n = blocks.addObject().put("type", "section");
                    ArrayNode fields = n.putArray("fields");
                    for (ChatMessage.Fact fact : facts.subList(i, Math.min(facts.size(), i + MAX_FIELDS))) {
                        fields.add(mrkdwn("*" + escape(fact.label()) + "*\n" + convert(fact.value())));
                    }
                }
            } else if (b instanceof ChatMessage.Note note) {
                ObjectNode n = blocks.addObject().put("type", "context");
                n.putArray("elements").add(mrkdwn(convert(truncate(note.text(), 3000))));
            } else if (b instanceof ChatMessage.Buttons buttons) {
                ObjectNode n = blocks.addObject().put("type", "actions");
                ArrayNode elements = n.putArray("elements");
                for (ChatMessage.Button button : buttons.buttons()) {
                    ObjectNode e = elements.addObject().put("type", "button").put("action_id", button.action())
                            .put("value", button.value());
                    e.set("text", plain(button.label()));
                    if (button.style() != null) {
                        e.put("style", button.style());
                    }
                }
            } else if (b instanceof ChatMessage.Chart chart) {
                String url = images.apply(chart);
                if (url == null) {
                    // no public address to fetch a picture from: the figures in words
                    ObjectNode n = blocks.addObject().put("type", "section");
                    n.set("text", mrkdwn(convert(truncate("**" + chart.title() + "**\n" + chart.altText(), 3000))));
                } else {
                    ObjectNode n = blocks.addObject().put("type", "image").put("image_url", url)
                            .put("alt_text", truncate(chart.altText(), 2000));
                    n.set("title", plain(truncate(chart.title(), 2000)));
                }
            } else if (b instanceof ChatMessage.Divider) {
                blocks.addObject().put("type", "divider");
            } else if (b instanceof ChatMessage.Code code) {
                // mrkdwn applies no formatting inside a code block; &, < and > stay escaped, as everywhere
                ObjectNode n = blocks.addObject().put("type", "section");
                n.set("text", mrkdwn("```" + escape(truncate(code.text(), 2990)) + "```"));
            }
        }
        return blocks;
    }

    /** The blocks as a JSON string, as {@code chat.postMessage} takes them. */
    public static String blocksJson(ChatMessage message, Function<ChatMessage.Chart, String> images) {
        return blocks(message, images).toString();
    }

    /** An App Home view holding the message. */
    public static String homeView(ChatMessage message, Function<ChatMessage.Chart, String> images) {
        ObjectNode view = MAPPER.createObjectNode().put("type", "home");
        view.set("blocks", blocks(message, images));
        return view.toString();
    }

    /**
     * A modal view of a form: each field an input block whose block id is the field's name, filled in with its
     * initial value; a channel field picks a public or private channel ({@code conversations_select}); the form's
     * context travels as the view's {@code private_metadata}.
     */
    public static String modal(Form form) {
        ObjectNode view = MAPPER.createObjectNode().put("type", "modal").put("callback_id", form.id());
        view.set("title", plainText(form.title()));
        view.set("submit", plainText(form.submit()));
        view.set("close", plainText("Cancel"));
        if (form.context() != null) {
            view.put("private_metadata", form.context());
        }
        ArrayNode blocks = view.putArray("blocks");
        for (Form.Field f : form.fields()) {
            ObjectNode input = blocks.addObject().put("type", "input").put("block_id", f.name());
            input.set("label", plainText(f.label()));
            if (f.optional()) {
                input.put("optional", true);
            }
            boolean initial = f.initial() != null && !f.initial().isEmpty();
            if (f.channel()) {
                ObjectNode e = input.putObject("element").put("type", "conversations_select")
                        .put("action_id", "value").put("default_to_current_conversation", false);
                e.putObject("filter").put("exclude_bot_users", true).putArray("include").add("public").add("private");
                if (initial) {
                    e.put("initial_conversation", f.initial());
                }
            } else if (f.choices().isEmpty()) {
                ObjectNode e = input.putObject("element").put("type", "plain_text_input").put("action_id", "value");
                if (f.placeholder() != null) {
                    e.set("placeholder", plainText(f.placeholder()));
                }
                if (f.multiline()) {
                    e.put("multiline", true);
                }
                if (f.maxLength() > 0) {
                    e.put("max_length", f.maxLength());
                }
                if (initial) {
                    e.put("initial_value", f.initial());
                }
            } else {
                // radio buttons for a few choices, a menu for more
                ObjectNode select = input.putObject("element")
                        .put("type", f.choices().size() > 5 ? "static_select" : "radio_buttons")
                        .put("action_id", "value");
                ArrayNode options = select.putArray("options");
                ObjectNode chosen = null;
                for (Form.Choice c : f.choices()) {
                    ObjectNode o = options.addObject();
                    o.set("text", plainText(c.label()));
                    o.put("value", c.value());
                    if (chosen == null || c.value().equals(f.initial())) {
                        chosen = o;
                    }
                }
                select.set("initial_option", chosen);
            }
        }
        return view.toString();
    }

    private static ObjectNode plainText(String text) {
        return MAPPER.createObjectNode().put("type", "plain_text").put("text", text);
    }

    /** A {@code response_url} body: an ephemeral (or replacing) message. */
    public static String responseBody(ChatMessage message, boolean replaceOriginal,
            Function<ChatMessage.Chart, String> images) {
        ObjectNode body = MAPPER.createObjectNode().put("response_type", "ephemeral")
                .put("replace_original", replaceOriginal).put("text", message.text());
        body.set("blocks", blocks(message, images));
        return body.toString();
    }

    private static ObjectNode plain(String text) {
        return MAPPER.createObjectNode().put("type", "plain_text").put("text", text).put("emoji", true);
    }

    private static ObjectNode mrkdwn(String converted) {
        return MAPPER.createObjectNode().put("type", "mrkdwn").put("text", converted);
    }

    /** Neutral markup to mrkdwn: escapes {@code & < >}, turns {@code **bold**} into {@code *bold*}. */
    static String convert(String neutral) {
        return escape(neutral).replaceAll("\\*\\*(.+?)\\*\\*", "*$1*");
    }

    private static String truncate(String s, int max) {
        return s.length() > max ? s.substring(0, max - 1) + "…" : s;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
