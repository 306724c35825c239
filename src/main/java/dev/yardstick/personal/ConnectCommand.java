package dev.yardstick.personal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.YardstickConfig;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.PersonalTokens;
import dev.yardstick.chat.ChatCommand;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ai-spend connect}: gives the person, privately, a new ingest token of their own (their usage, OpenTelemetry
 * and session links only; {@link PersonalTokens}) and the exact lines that send Claude Code's telemetry with it, for a
 * shell and for Claude Code's settings. Running it again revokes the previous one. The answer is a
 * {@link Reply#secret secret}: platforms show it only in their direct answer, never through the outbox.
 */
@ApplicationScoped
public class ConnectCommand implements ChatCommand {

    /** Where the address goes when {@code YARDSTICK_PUBLIC_URL} is not set. */
    static final String NO_URL = "https://YARDSTICK-ADDRESS";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    PersonalTokens tokens;
    @Inject
    YardstickConfig config;

    @Override
    public String word() {
        return "connect";
    }

    @Override
    public int order() {
        return 40;
    }

    @Override
    public String usage(String command, Origin origin) {
        return "**" + command + " connect**: a token of your own that reports your AI use to Yardstick, with the "
                + "lines to set it up (it replaces the one you got before)";
    }

    @Override
    public Reply run(Origin origin, String args, String command) {
        Member member = origin.member().orElseThrow();
        PersonalTokens.Issued issued = tokens.issue(member.id);
        return Reply.secret(message(issued, member.email, url(), command));
    }

    private String url() {
        String url = config.publicUrl().map(String::trim).filter(u -> !u.isEmpty()).orElse(NO_URL);
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The answer: the token, the shell lines, the settings block, and what replacing it does. */
    static ChatMessage message(PersonalTokens.Issued issued, String email, String url, String command) {
        Map<String, String> env = env(issued.secret(), email, url);
        StringBuilder shell = new StringBuilder();
        env.forEach((k, v) -> shell.append("export ").append(k).append('=')
                .append(v.contains(" ") ? '"' + v + '"' : v).append('\n'));
        StringBuilder settings = new StringBuilder("{\n  \"env\": {\n");
        int n = 0;
        for (var e : env.entrySet()) {
            settings.append("    ").append(quoted(e.getKey())).append(": ").append(quoted(e.getValue()))
                    .append(++n < env.size() ? ",\n" : "\n");
        }
        settings.append("  }\n}");
        String intro = "This token sends your own AI use to Yardstick, and nobody else's: usage, OpenTelemetry and "
                + "session links with your email, " + email + ". "
                + (issued.replaced() ? "The token you got before stops working now. " : "")
                + "It is shown only here and only this once: keep it like a password.";
        ChatMessage.Builder b = ChatMessage.builder("Your Yardstick token and how to set it up")
                .header("Your Yardstick token").paragraph(intro).code(issued.secret())
                .paragraph("**In your shell** (add them to ~/.zshrc or ~/.bashrc):").code(shell.toString().strip())
                .paragraph("**Or in Claude Code's settings**, the env block of ~/.claude/settings.json:")
                .code(settings.toString());
        if (NO_URL.equals(url)) {
            b.paragraph("Replace " + NO_URL + " with the address of your Yardstick (your Yardstick admin can set "
                    + "YARDSTICK_PUBLIC_URL so that it shows here).");
        }
        return b.note("Lost it, or a new laptop? Run " + command + " connect again: you get a new token and this one "
                + "stops working at once.").build();
    }

    private static String quoted(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claude Code's telemetry settings with the personal token, as docs/connect-claude-code.md documents them. */
    static Map<String, String> env(String secret, String email, String url) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLAUDE_CODE_ENABLE_TELEMETRY", "1");
        env.put("OTEL_METRICS_EXPORTER", "otlp");
        env.put("OTEL_LOGS_EXPORTER", "otlp");
        env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", url);
        env.put("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer " + secret);
        env.put("OTEL_RESOURCE_ATTRIBUTES", "user.email=" + attributeValue(email));
        return env;
    }

    /**
     * An email as an {@code OTEL_RESOURCE_ATTRIBUTES} value: percent-encoded beyond letters, digits and
     * {@code . @ + _ -}, which also keeps it free of anything a shell would read.
     */
    static String attributeValue(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || ".@+_-".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
