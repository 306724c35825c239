package dev.yardstick.chat;

import java.util.List;

/**
 * A form a feature asks a person to fill in (a Slack modal): its fields are submitted back to the feature's
 * {@link FormHandler} by name.
 *
 * @param id     the form's id, which routes its submission
 * @param title  the form's title
 * @param submit the label of its submit button
 * @param fields its fields, top to bottom
 */
public record Form(String id, String title, String submit, List<Field> fields) {

    /**
     * One field: free text (one or several lines) or one of several choices.
     *
     * @param placeholder shown in an empty text field, or null
     * @param maxLength   longest text accepted, 0 for the platform's limit
     * @param choices     for a choice field, its options, the first chosen at first; empty for text
     */
    public record Field(String name, String label, String placeholder, boolean multiline, int maxLength,
            List<Choice> choices) {

        /** A one-line text field. */
        public static Field text(String name, String label, String placeholder) {
            return new Field(name, label, placeholder, false, 0, List.of());
        }

        /** A text field of several lines. */
        public static Field lines(String name, String label, int maxLength) {
            return new Field(name, label, null, true, maxLength, List.of());
        }

        /** One of several choices, the first chosen at first. */
        public static Field choice(String name, String label, List<Choice> choices) {
            return new Field(name, label, null, false, 0, choices);
        }
    }

    /** One option of a choice field. */
    public record Choice(String value, String label) {
    }
}
