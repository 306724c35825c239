package dev.yardstick.chat;

import java.util.Map;

/**
 * A feature's answer to something someone did in chat, rendered by each platform.
 *
 * @param note    what to tell only this person, or null
 * @param card    what the message whose button was pressed reads now, or null when unchanged or gone
 * @param changed whether this action changed that message (the platform's copy is updated through the outbox; a note
 *                then adds nothing on platforms that show the update)
 * @param form    a form to open for this person, or null
 * @param errors  per field of a submitted form, what is wrong with it (empty when accepted)
 * @param secret  whether the note holds a secret (a token): platforms show it only in their direct answer to the
 *                person's request, and never queue it in the outbox, store or log it
 */
public record Reply(ChatMessage note, ChatMessage card, boolean changed, Form form, Map<String, String> errors,
        boolean secret) {

    /** Nothing to say. */
    public static Reply none() {
        return new Reply(null, null, false, null, Map.of(), false);
    }

    /** A private note to the person. */
    public static Reply note(ChatMessage note) {
        return new Reply(note, null, false, null, Map.of(), false);
    }

    /** A private note to the person that holds a secret: see {@link #secret()}. */
    public static Reply secret(ChatMessage note) {
        return new Reply(note, null, false, null, Map.of(), true);
    }

    /** A one-paragraph private note to the person. */
    public static Reply note(String text) {
        return note(ChatMessage.text(text));
    }

    /** The action changed its message, which now reads {@code card}; {@code note} says what happened. */
    public static Reply updated(ChatMessage card, String note) {
        return new Reply(ChatMessage.text(note), card, true, null, Map.of(), false);
    }

    /** The action changed nothing; the message reads {@code card} (null: unknown) and {@code note} says why. */
    public static Reply unchanged(ChatMessage card, String note) {
        return new Reply(ChatMessage.text(note), card, false, null, Map.of(), false);
    }

    /** What a message reads now, asked for without anything being pressed (a Teams card's refresh). */
    public static Reply current(ChatMessage card) {
        return new Reply(null, card, false, null, Map.of(), false);
    }

    /** Open a form for the person. */
    public static Reply form(Form form) {
        return new Reply(null, null, false, form, Map.of(), false);
    }

    /** A submitted form is refused: what is wrong, per field. */
    public static Reply errors(Map<String, String> errors) {
        return new Reply(null, null, false, null, Map.copyOf(errors), false);
    }
}
