package dev.yardstick.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What people do in chat, whatever the platform: {@code ai-spend} commands, button presses and form submissions,
 * dispatched to the features that registered for them ({@link ChatCommand}, {@link ChatAction}, {@link FormHandler},
 * {@link HomePage}). The platform adapters verify, parse, call this and render the {@link Reply}.
 */
@ApplicationScoped
public class Inbound {

    /** The answer to a button no feature knows. */
    static final String NOT_MINE = "This button is not one of mine; nothing was changed.";

    @Inject
    Instance<ChatCommand> commands;
    @Inject
    Instance<ChatAction> actions;
    @Inject
    Instance<FormHandler> forms;
    @Inject
    Instance<HomePage> home;

    /** Whether a command text asks for help (an unknown word, or {@code help}): it needs no member. */
    public boolean help(String text) {
        return find(word(text)).isEmpty();
    }

    /** Whether answering a command text may take longer than a platform waits. */
    public boolean slow(String text) {
        return find(word(text)).map(c -> c.slow(args(text))).orElse(false);
    }

    /** What to say at once when the answer to a command text comes later: the command's {@code working} sentence. */
    public String working(String text) {
        return find(word(text)).map(c -> c.working(args(text))).orElse("Working on it…");
    }

    /** The answer to {@code ai-spend <text>} from a member (help needs none). */
    public Reply command(Origin origin, String text, String command) {
        Optional<ChatCommand> found = find(word(text));
        if (found.isEmpty() || origin.member().isEmpty()) {
            return Reply.note(help(origin, command));
        }
        return found.get().run(origin, args(text), command);
    }

    /** The usage text of the command on a platform. */
    public ChatMessage help(Origin origin, String command) {
        StringBuilder lines = new StringBuilder();
        for (ChatCommand c : sorted()) {
            lines.append(c.usage(command, origin)).append('\n');
        }
        lines.append("**").append(command).append(" help**: this text");
        return ChatMessage.builder("How to use " + command).paragraph(lines.toString())
                .note("Answers are visible only to you.").build();
    }

    /** A press of a button. */
    public Reply click(Origin origin, String action, String value) {
        for (ChatAction a : actions) {
            if (a.actions().contains(action)) {
                return a.click(origin, action, value);
            }
        }
        return Reply.note(NOT_MINE);
    }

    /** The form with this id, if a feature has one. */
    public Optional<Form> form(String id) {
        return handler(id).map(FormHandler::form);
    }

    /** The form with this id as the origin's platform shows it, if a feature has one. */
    public Optional<Form> form(Origin origin, String id) {
        return handler(id).map(h -> h.form(origin));
    }

    /** What is wrong with a submission of the form, per field (an unknown form: nothing to check). */
    public Map<String, String> check(String formId, Map<String, String> fields) {
        return handler(formId).map(h -> h.check(fields)).orElse(Map.of());
    }

    /** Carries out a checked submission of a form. */
    public Reply submit(Origin origin, String formId, Map<String, String> fields) {
        Optional<FormHandler> h = handler(formId);
        if (h.isEmpty() || origin.member().isEmpty()) {
            return Reply.none();
        }
        return h.get().submit(origin, fields);
    }

    /** A member's home page: every feature's part of it, in their order, one after the other. */
    public Optional<ChatMessage> home(Origin origin) {
        if (origin.member().isEmpty()) {
            return Optional.empty();
        }
        List<ChatMessage> parts = home.stream().sorted(Comparator.comparingInt(HomePage::order))
                .map(h -> h.of(origin.member().get())).filter(java.util.Objects::nonNull).toList();
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        ChatMessage.Builder all = ChatMessage.builder(parts.get(0).text());
        parts.forEach(p -> all.blocks(p.blocks()));
        return Optional.of(all.build());
    }

    private Optional<FormHandler> handler(String id) {
        return forms.stream().filter(f -> f.form().id().equals(id)).findFirst();
    }

    private List<ChatCommand> sorted() {
        return commands.stream().sorted(Comparator.comparingInt(ChatCommand::order)).toList();
    }

    private Optional<ChatCommand> find(String word) {
        String w = word.equals("me") ? "" : word;
        return commands.stream().filter(c -> c.word().equals(w)).findFirst();
    }

    private static String word(String text) {
        String t = text == null ? "" : text.trim();
        return t.isEmpty() ? "" : t.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
    }

    private static String args(String text) {
        String[] parts = (text == null ? "" : text.trim()).split("\\s+", 2);
        return parts.length < 2 ? "" : parts[1].trim();
    }
}
