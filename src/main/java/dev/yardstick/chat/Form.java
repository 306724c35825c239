package dev.yardstick.chat;

import java.util.List;
import java.util.Map;

/**
 * A form a feature asks a person to fill in (a Slack modal, a Teams card, an HTML form in the preview): its fields
 * are submitted back to the feature's {@link FormHandler} by name.
 *
 * @param id      the form's id, which routes its submission
 * @param title   the form's title
 * @param submit  the label of its submit button
 * @param fields  its fields, top to bottom
 * @param context what the feature needs back with the submission and the person does not see (a team's key), or
 *                null; it comes back as the field {@link #CONTEXT}
 */
public record Form(String id, String title, String submit, List<Field> fields, String context) {

    /** The name under which a submission carries the form's {@link #context()} back. */
    public static final String CONTEXT = "_context";

    /** A form without context. */
    public Form(String id, String title, String submit, List<Field> fields) {
        this(id, title, submit, fields, null);
    }

    /** The same form with these values in its fields (as typed: a submission shown again with its errors). */
    public Form withValues(Map<String, String> values) {
        return new Form(id, title, submit, fields.stream()
                .map(f -> values.containsKey(f.name()) ? f.initially(values.get(f.name())) : f).toList(), context);
    }

    /**
     * One field: free text (one or several lines), one of several choices, or a chat channel (on platforms that can
     * pick one; a channel id as text elsewhere).
     *
     * @param placeholder shown in an empty text field, or null
     * @param maxLength   longest text accepted, 0 for the platform's limit
     * @param choices     for a choice field, its options (the first chosen at first, unless {@code initial}); empty
     *                    otherwise
     * @param initial     its value when the form opens, or null
     * @param optional    whether it may be left empty
     * @param channel     whether it holds a chat channel's id
     */
    public record Field(String name, String label, String placeholder, boolean multiline, int maxLength,
            List<Choice> choices, String initial, boolean optional, boolean channel) {

        /** A one-line text field. */
        public static Field text(String name, String label, String placeholder) {
            return new Field(name, label, placeholder, false, 0, List.of(), null, false, false);
        }

        /** A text field of several lines. */
        public static Field lines(String name, String label, int maxLength) {
            return new Field(name, label, null, true, maxLength, List.of(), null, false, false);
        }

        /** One of several choices, the first chosen at first. */
        public static Field choice(String name, String label, List<Choice> choices) {
            return new Field(name, label, null, false, 0, choices, null, false, false);
        }

        /** A chat channel, optional; {@code placeholder} says what to type where the platform cannot pick one. */
        public static Field channel(String name, String label, String placeholder) {
            return new Field(name, label, placeholder, false, 0, List.of(), null, true, true);
        }

        /** This field, filled in with {@code value} when the form opens. */
        public Field initially(String value) {
            return new Field(name, label, placeholder, multiline, maxLength, choices, value, optional, channel);
        }

        /** This field, which may be left empty. */
        public Field optionally() {
            return new Field(name, label, placeholder, multiline, maxLength, choices, initial, true, channel);
        }
    }

    /** One option of a choice field. */
    public record Choice(String value, String label) {
    }
}
