package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Form;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Renders the neutral {@link ChatMessage} as an Adaptive Card 1.5 (what Teams shows): text blocks,
 * fact sets, code as fixed-width text runs, the chart as a PNG image in a {@code data:} URI, and buttons as
 * {@code Action.Execute} (Universal Actions; {@code verb} is the button's action, {@code data} its action and
 * value) with an {@code Action.Submit} fallback for older clients.
 */
public final class AdaptiveCards {

    /** The content type of an Adaptive Card attachment. */
    public static final String CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
    /** The verb (and action) of a form's submit button; its data names the form under {@link #FORM_ID}. */
    public static final String FORM_ACTION = "form.submit";
    /** Where a form's submit button carries the form's id. */
    public static final String FORM_ID = "_form";

    /** The Adaptive Cards schema version every card declares. */
    public static final String VERSION = "1.5";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AdaptiveCards() {
    }

    /**
     * The card of a message.
     *
     * @param png draws a chart (null: charts are shown by their alternative text)
     */
    public static ObjectNode card(ChatMessage message, Function<ChatMessage.Chart, byte[]> png) {
        return card(message, png, members -> List.of());
    }

    /**
     * The card of a message, with the Teams user ids ({@code 29:...} or {@code 8:orgid:<object id>}) of the members
     * who hold a copy of it ({@link ChatMessage.Live}): their view of it is refreshed (Universal Actions).
     *
     * @param png     draws a chart (null: charts are shown by their alternative text)
     * @param userIds the Teams user ids of these members (those it knows)
     */
    public static ObjectNode card(ChatMessage message, Function<ChatMessage.Chart, byte[]> png,
            Function<List<Long>, List<String>> userIds) {
        ObjectNode card = MAPPER.createObjectNode().put("type", "AdaptiveCard")
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json").put("version", VERSION);
        card.put("fallbackText", message.text());
        ArrayNode body = card.putArray("body");
        boolean separator = false;
        for (ChatMessage.Block b : message.blocks()) {
            ObjectNode e = null;
            if (b instanceof ChatMessage.Header h) {
                e = text(h.text()).put("size", "Large").put("weight", "Bolder");
            } else if (b instanceof ChatMessage.Paragraph p) {
                e = text(p.text());
            } else if (b instanceof ChatMessage.Note n) {
                e = text(n.text()).put("size", "Small").put("isSubtle", true);
            } else if (b instanceof ChatMessage.Facts f) {
                e = MAPPER.createObjectNode().put("type", "FactSet");
                ArrayNode facts = e.putArray("facts");
                for (ChatMessage.Fact fact : f.facts()) {
                    facts.addObject().put("title", plain(fact.label())).put("value", markdown(fact.value()));
                }
            } else if (b instanceof ChatMessage.Chart c) {
                if (c.title() != null) {
                    e = text(c.title()).put("weight", "Bolder");
                    body.add(separator ? e.put("separator", true) : e);
                    separator = false;
                }
                if (png == null) {
                    e = text(c.altText()).put("isSubtle", true);
                } else {
                    e = MAPPER.createObjectNode().put("type", "Image")
                            .put("url", "data:image/png;base64," + Base64.getEncoder().encodeToString(png.apply(c)))
                            .put("altText", c.altText()).put("size", "Stretch");
                }
            } else if (b instanceof ChatMessage.Buttons buttons) {
                e = MAPPER.createObjectNode().put("type", "ActionSet");
                ArrayNode actions = e.putArray("actions");
                for (ChatMessage.Button button : buttons.buttons()) {
                    actions.add(action(button));
                }
            } else if (b instanceof ChatMessage.Divider) {
                separator = true;
                continue;
            } else if (b instanceof ChatMessage.Code code) {
                e = code(code.text());
            } else if (b instanceof ChatMessage.Live live) {
                card.set("refresh", refresh(live, userIds.apply(live.members())));
                continue;
            } else if (b instanceof ChatMessage.Inputs inputs) {
                inputs(body, inputs);
                separator = false;
                continue;
            }
            if (e != null) {
                body.add(separator ? e.put("separator", true) : e);
                separator = false;
            }
        }
        return card;
    }

    /**
     * A form: a title, then each field as an input whose id is the field's name, filled in with its value (a channel:
     * its id as text, since a bot cannot list a team's channels in a card), with what was wrong with it underneath in
     * the attention colour; then a submit button ({@code Action.Execute}, {@code Action.Submit} where that is not
     * supported) whose data carries the form's id and context.
     */
    private static void inputs(ArrayNode body, ChatMessage.Inputs inputs) {
        Form form = inputs.form();
        body.add(text(form.title()).put("size", "Large").put("weight", "Bolder"));
        for (Form.Field f : form.fields()) {
            ObjectNode input = body.addObject().put("id", f.name()).put("label", plain(f.label()));
            if (f.choices().isEmpty()) {
                input.put("type", "Input.Text");
                if (f.placeholder() != null) {
                    input.put("placeholder", f.placeholder());
                }
                if (f.multiline()) {
                    input.put("isMultiline", true);
                }
                if (f.maxLength() > 0) {
                    input.put("maxLength", f.maxLength());
                }
                if (f.initial() != null) {
                    input.put("value", f.initial());
                }
            } else {
                input.put("type", "Input.ChoiceSet").put("style", "compact").put("value",
                        f.initial() != null ? f.initial() : f.choices().get(0).value());
                ArrayNode choices = input.putArray("choices");
                for (Form.Choice c : f.choices()) {
                    choices.addObject().put("title", c.label()).put("value", c.value());
                }
            }
            String error = inputs.errors().get(f.name());
            if (error != null) {
                body.add(MAPPER.createObjectNode().put("type", "TextBlock").put("text", error).put("wrap", true)
                        .put("color", "Attention").put("size", "Small").put("spacing", "None"));
            }
        }
        ObjectNode data = MAPPER.createObjectNode().put("action", FORM_ACTION).put(FORM_ID, form.id());
        if (form.context() != null) {
            data.put(Form.CONTEXT, form.context());
        }
        ObjectNode submit = MAPPER.createObjectNode().put("type", "Action.Submit").put("title", form.submit());
        submit.set("data", data.deepCopy());
        ObjectNode execute = MAPPER.createObjectNode().put("type", "Action.Execute").put("title", form.submit())
                .put("verb", FORM_ACTION).put("style", "positive");
        execute.set("data", data);
        execute.set("fallback", submit);
        body.addObject().put("type", "ActionSet").putArray("actions").add(execute);
    }

    /** The most user ids a card's refresh names (Teams refreshes automatically for at most 60 people). */
    static final int MAX_REFRESH_USERS = 60;

    /**
     * A card's {@code refresh}: when one of {@code userIds} looks at the card, Teams sends the bot an
     * {@code adaptiveCard/action} invoke with this {@code Action.Execute} (trigger {@code automatic}), and shows the
     * card the bot answers with: the message as it reads now, whoever changed it.
     */
    private static ObjectNode refresh(ChatMessage.Live live, List<String> userIds) {
        ObjectNode refresh = MAPPER.createObjectNode();
        ObjectNode execute = refresh.putObject("action").put("type", "Action.Execute").put("verb", live.action());
        execute.putObject("data").put("action", live.action()).put("value", live.value());
        if (!userIds.isEmpty()) {
            ArrayNode ids = refresh.putArray("userIds");
            userIds.stream().limit(MAX_REFRESH_USERS).forEach(ids::add);
        }
        return refresh;
    }

    /** A message activity carrying the card as its one attachment. */
    public static ObjectNode activity(ObjectNode card, String summary) {
        ObjectNode a = MAPPER.createObjectNode().put("type", "message");
        if (summary != null) {
            a.put("summary", summary);
        }
        ArrayNode attachments = a.putArray("attachments");
        attachments.addObject().put("contentType", CONTENT_TYPE).set("content", card);
        return a;
    }

    private static ObjectNode action(ChatMessage.Button button) {
        ObjectNode data = MAPPER.createObjectNode().put("action", button.action()).put("value", button.value());
        ObjectNode submit = MAPPER.createObjectNode().put("type", "Action.Submit").put("title", button.label());
        submit.set("data", data.deepCopy());
        ObjectNode execute = MAPPER.createObjectNode().put("type", "Action.Execute").put("title", button.label())
                .put("verb", button.action());
        execute.set("data", data);
        String style = style(button.style());
        if (style != null) {
            execute.put("style", style);
            submit.put("style", style);
        }
        execute.set("fallback", submit);
        return execute;
    }

    private static String style(String neutral) {
        if ("primary".equals(neutral)) {
            return "positive";
        }
        return "danger".equals(neutral) ? "destructive" : null;
    }

    /**
     * Lines to copy exactly: a text run is never read as Markdown, and each line is a block of its own (Teams drops
     * single newlines), in a fixed-width font on a shaded container.
     */
    private static ObjectNode code(String text) {
        ObjectNode container = MAPPER.createObjectNode().put("type", "Container").put("style", "emphasis");
        ArrayNode items = container.putArray("items");
        for (String line : text.split("\n", -1)) {
            ObjectNode block = items.addObject().put("type", "RichTextBlock").put("spacing", "None");
            block.putArray("inlines").addObject().put("type", "TextRun").put("text", line.isEmpty() ? " " : line)
                    .put("fontType", "Monospace");
        }
        return container;
    }

    private static ObjectNode text(String neutral) {
        return MAPPER.createObjectNode().put("type", "TextBlock").put("text", markdown(neutral)).put("wrap", true);
    }

    /**
     * Neutral markup to the Markdown subset Teams renders in cards: {@code **bold**} and
     * {@code _italic_} stay as they are; a line break becomes a paragraph break (Teams drops single
     * newlines); characters that would start a Markdown list or heading at a line start are escaped.
     */
    static String markdown(String neutral) {
        if (neutral == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        String[] lines = neutral.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.matches("^\\s*[-+#]\\s.*")) {
                int at = line.indexOf(line.trim().charAt(0));
                line = line.substring(0, at) + "\\" + line.substring(at);
            } else if (line.matches("^\\s*\\d+\\.\\s.*")) {
                line = line.replaceFirst("^(\\s*\\d+)\\.", "$1\\\\.");
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append("\n\n");
            }
        }
        return out.toString();
    }

    /** Text without markup (fact titles are not Markdown). */
    static String plain(String neutral) {
        return neutral == null ? "" : neutral.replaceAll("\\*\\*(.+?)\\*\\*", "$1");
    }
}
