package dev.yardstick.ingest;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether shipped work says AI helped: an {@code ai-assisted} label, or a commit-style trailer in
 * its text. A {@code Co-authored-by:} trailer counts when its name starts with a known AI tool and
 * its address (if any) is a no-reply, bot or AI vendor address, so that a person called Claude or
 * Devin does not count; {@code Made-with: Cursor} counts as well.
 */
public final class AiAssisted {

    /** The label that marks work as AI-assisted, compared case-insensitively. */
    public static final String LABEL = "ai-assisted";

    /** Names of AI tools that sign {@code Co-authored-by:} trailers. */
    static final Set<String> TOOLS = Set.of("claude", "copilot", "cursor", "cursoragent", "codex", "gemini",
            "aider", "devin", "chatgpt", "openai", "anthropic", "windsurf", "codeium", "cline", "jules", "junie");

    private static final Set<String> VENDOR_DOMAINS = Set.of("anthropic.com", "openai.com", "cursor.com",
            "cursor.sh", "aider.chat", "devin.ai", "cognition.ai", "cognition-labs.com", "google.com",
            "github.com", "windsurf.com", "codeium.com", "cline.bot", "jetbrains.com");

    private static final Pattern CO_AUTHOR = Pattern.compile(
            "^[ \\t>]*co-authored-by:[ \\t]*([^<\\r\\n]*?)[ \\t]*(?:<([^>\\r\\n]*)>)?[ \\t]*$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern MADE_WITH_CURSOR = Pattern.compile("^[ \\t>]*made-with:[ \\t]*cursor\\b",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    private AiAssisted() {
    }

    /** Whether one of the labels is {@value #LABEL}. */
    public static boolean labelled(Iterable<String> labels) {
        for (String label : labels) {
            if (label != null && LABEL.equalsIgnoreCase(label.trim())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the text carries a trailer of a known AI tool. */
    public static boolean trailer(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        if (MADE_WITH_CURSOR.matcher(text).find()) {
            return true;
        }
        Matcher m = CO_AUTHOR.matcher(text);
        while (m.find()) {
            if (isTool(m.group(1), m.group(2))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTool(String name, String address) {
        String first = name.toLowerCase(Locale.ROOT).replaceFirst("^[^a-z0-9]+", "").split("[^a-z0-9]+", 2)[0];
        if (!TOOLS.contains(first)) {
            return false;
        }
        if (address == null || address.isBlank()) {
            return true;
        }
        String a = address.trim().toLowerCase(Locale.ROOT);
        int at = a.lastIndexOf('@');
        String local = at < 0 ? a : a.substring(0, at);
        String domain = at < 0 ? "" : a.substring(at + 1);
        return local.contains("noreply") || local.contains("no-reply") || local.contains("[bot]")
                || domain.endsWith("noreply.github.com") || VENDOR_DOMAINS.contains(domain)
                || VENDOR_DOMAINS.stream().anyMatch(d -> domain.endsWith("." + d));
    }
}
