package dev.yardstick.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The logical name of an outbound message, its dedupe key: a kind and the parts that make it unique
 * ({@code digest / payments / 2026-W47 / manager / 7}). Queueing the same key twice sends once; a key's children
 * ({@link #and}) name the messages that belong to it (a manager's copy, a chart). Stored as its parts joined by
 * {@code :}.
 *
 * @param parts the kind first, then the rest
 */
public record MessageKey(List<String> parts) {

    /** A key from its parts, the first of which is its kind. */
    public MessageKey {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a message key needs a kind");
        }
        parts = List.copyOf(parts);
    }

    /** A key of this kind with these parts. */
    public static MessageKey of(String kind, Object... parts) {
        List<String> all = new ArrayList<>();
        all.add(kind);
        Arrays.stream(parts).map(String::valueOf).forEach(all::add);
        return new MessageKey(all);
    }

    /** The key as stored. */
    public static MessageKey parse(String value) {
        return new MessageKey(Arrays.asList(value.split(":", -1)));
    }

    /** A child of this key: this key's parts, then these. */
    public MessageKey and(Object... more) {
        List<String> all = new ArrayList<>(parts);
        Arrays.stream(more).map(String::valueOf).forEach(all::add);
        return new MessageKey(all);
    }

    /** The kind of message ({@code digest}, {@code budget-request}, {@code alert}, ...). */
    public String kind() {
        return parts.get(0);
    }

    /** The n-th part (the kind is part 0), or null when there is none. */
    public String part(int n) {
        return n < parts.size() ? parts.get(n) : null;
    }

    /** Whether this key is {@code ancestor} or one of its children. */
    public boolean within(MessageKey ancestor) {
        return parts.size() >= ancestor.parts.size() && parts.subList(0, ancestor.parts.size()).equals(ancestor.parts);
    }

    /** Whether the last part is {@code last}. */
    public boolean endsWith(String last) {
        return parts.get(parts.size() - 1).equals(last);
    }

    /** This key without its last part (the message a chart belongs to). */
    public MessageKey parent() {
        return new MessageKey(parts.subList(0, Math.max(1, parts.size() - 1)));
    }

    /** The key as stored. */
    public String value() {
        return String.join(":", parts);
    }

    @Override
    public String toString() {
        return value();
    }
}
