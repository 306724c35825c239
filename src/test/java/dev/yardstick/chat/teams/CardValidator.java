package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a card against the Adaptive Cards 1.5 element list: every element and action type exists in
 * 1.5, and every property is one that type has in 1.5 (written from the 1.5 schema's element list;
 * enumerations checked for the properties Yardstick uses).
 */
final class CardValidator {

    private static final Set<String> CARD = Set.of("type", "version", "body", "actions", "$schema", "fallbackText",
            "speak", "lang", "minHeight", "rtl", "selectAction", "verticalContentAlignment", "backgroundImage",
            "refresh", "authentication", "metadata");
    private static final Set<String> ELEMENT = Set.of("type", "id", "isVisible", "separator", "spacing", "height",
            "fallback", "requires");
    private static final Set<String> ACTION = Set.of("type", "title", "iconUrl", "id", "style", "fallback",
            "tooltip", "isEnabled", "mode", "requires");
    private static final Map<String, Set<String>> ELEMENTS = Map.ofEntries(
            Map.entry("TextBlock", Set.of("text", "color", "fontType", "horizontalAlignment", "isSubtle", "maxLines",
                    "size", "weight", "wrap", "style")),
            Map.entry("RichTextBlock", Set.of("inlines", "horizontalAlignment")),
            Map.entry("Image", Set.of("url", "altText", "backgroundColor", "horizontalAlignment", "selectAction",
                    "size", "style", "width")),
            Map.entry("Media", Set.of("sources", "poster", "altText")),
            Map.entry("FactSet", Set.of("facts")),
            Map.entry("ImageSet", Set.of("images", "imageSize")),
            Map.entry("ActionSet", Set.of("actions")),
            Map.entry("Container", Set.of("items", "selectAction", "style", "verticalContentAlignment", "bleed",
                    "backgroundImage", "minHeight", "rtl")),
            Map.entry("ColumnSet", Set.of("columns", "selectAction", "style", "bleed", "minHeight",
                    "horizontalAlignment")),
            Map.entry("Input.Text", Set.of("label", "isRequired", "errorMessage", "isMultiline", "maxLength",
                    "placeholder", "regex", "style", "inlineAction", "value")),
            Map.entry("Input.ChoiceSet", Set.of("label", "isRequired", "errorMessage", "choices", "isMultiSelect",
                    "style", "value", "placeholder", "wrap")),
            Map.entry("Table", Set.of("columns", "rows", "firstRowAsHeader", "showGridLines", "gridStyle",
                    "horizontalCellContentAlignment", "verticalCellContentAlignment")));
    private static final Set<String> TEXT_RUN = Set.of("type", "text", "color", "fontType", "highlight", "isSubtle",
            "italic", "selectAction", "size", "strikethrough", "underline", "weight");
    private static final Map<String, Set<String>> ACTIONS = Map.of(
            "Action.Execute", Set.of("verb", "data", "associatedInputs"),
            "Action.Submit", Set.of("data", "associatedInputs"),
            "Action.OpenUrl", Set.of("url"),
            "Action.ShowCard", Set.of("card"),
            "Action.ToggleVisibility", Set.of("targetElements"));
    private static final Map<String, Set<String>> ENUMS = Map.of(
            "TextBlock.size", Set.of("Default", "Small", "Medium", "Large", "ExtraLarge"),
            "TextBlock.weight", Set.of("Default", "Lighter", "Bolder"),
            "TextBlock.color", Set.of("Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"),
            "Image.size", Set.of("Auto", "Stretch", "Small", "Medium", "Large"),
            "Container.style", Set.of("default", "emphasis", "good", "attention", "warning", "accent"),
            "action.style", Set.of("default", "positive", "destructive"));

    private CardValidator() {
    }

    /** The problems of a card; empty when it is a valid 1.5 card. */
    static List<String> problems(JsonNode card) {
        List<String> out = new ArrayList<>();
        if (!"AdaptiveCard".equals(card.path("type").asText())) {
            out.add("not an AdaptiveCard");
        }
        if (!"1.5".equals(card.path("version").asText())) {
            out.add("version is " + card.path("version") + ", not 1.5");
        }
        keys(card, CARD, "AdaptiveCard", out);
        for (JsonNode e : card.path("body")) {
            element(e, out);
        }
        for (JsonNode a : card.path("actions")) {
            action(a, out);
        }
        return out;
    }

    private static void element(JsonNode e, List<String> out) {
        String type = e.path("type").asText();
        Set<String> own = ELEMENTS.get(type);
        if (own == null) {
            out.add("element type " + type + " is not in Adaptive Cards 1.5 (or not allowed here)");
            return;
        }
        keys(e, union(ELEMENT, own), type, out);
        enumerated(e, type, out);
        switch (type) {
            case "FactSet" -> {
                for (JsonNode f : e.path("facts")) {
                    keys(f, Set.of("title", "value"), "Fact", out);
                }
            }
            case "ActionSet" -> e.path("actions").forEach(a -> action(a, out));
            case "Input.ChoiceSet" -> {
                for (JsonNode c : e.path("choices")) {
                    keys(c, Set.of("title", "value"), "Input.Choice", out);
                }
                if (e.has("style") && !Set.of("compact", "expanded", "filtered").contains(e.path("style").asText())) {
                    out.add("Input.ChoiceSet.style " + e.path("style"));
                }
            }
            case "Container" -> e.path("items").forEach(i -> element(i, out));
            case "RichTextBlock" -> {
                for (JsonNode run : e.path("inlines")) {
                    if (!"TextRun".equals(run.path("type").asText())) {
                        out.add("RichTextBlock inline " + run + " is not a TextRun");
                        continue;
                    }
                    keys(run, TEXT_RUN, "TextRun", out);
                    if (run.has("fontType")
                            && !Set.of("Default", "Monospace").contains(run.path("fontType").asText())) {
                        out.add("TextRun.fontType " + run.path("fontType"));
                    }
                }
            }
            case "Image" -> {
                if (!e.path("url").asText().startsWith("data:image/png;base64,")
                        && !e.path("url").asText().startsWith("https://")) {
                    out.add("Image url is neither https nor a PNG data URI");
                }
            }
            default -> {
            }
        }
        if (e.path("fallback").isObject()) {
            element(e.path("fallback"), out);
        }
    }

    private static void action(JsonNode a, List<String> out) {
        String type = a.path("type").asText();
        Set<String> own = ACTIONS.get(type);
        if (own == null) {
            out.add("action type " + type + " is not in Adaptive Cards 1.5");
            return;
        }
        keys(a, union(ACTION, own), type, out);
        if (a.has("style") && !ENUMS.get("action.style").contains(a.path("style").asText())) {
            out.add(type + ".style " + a.path("style"));
        }
        if (a.path("fallback").isObject()) {
            action(a.path("fallback"), out);
        } else if (a.has("fallback") && !"drop".equals(a.path("fallback").asText())) {
            out.add(type + ".fallback must be an action or \"drop\"");
        }
    }

    private static void enumerated(JsonNode e, String type, List<String> out) {
        for (Iterator<String> it = e.fieldNames(); it.hasNext();) {
            String field = it.next();
            Set<String> allowed = ENUMS.get(type + "." + field);
            if (allowed != null && !allowed.contains(e.path(field).asText())) {
                out.add(type + "." + field + " " + e.path(field) + " is not one of " + allowed);
            }
        }
    }

    private static void keys(JsonNode node, Set<String> allowed, String what, List<String> out) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!allowed.contains(field)) {
                out.add(what + " has no property '" + field + "' in Adaptive Cards 1.5");
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return s;
    }
}
