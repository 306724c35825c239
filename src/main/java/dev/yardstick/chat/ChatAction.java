package dev.yardstick.chat;

import java.util.Set;

/**
 * The buttons a feature puts on its messages ({@link ChatMessage.Button#action()}), answered on every platform
 * through {@link Inbound}.
 */
public interface ChatAction {

    /** The action ids it answers. */
    Set<String> actions();

    /** A press of {@code action} on the record {@code value} names. */
    Reply click(Origin origin, String action, String value);

    /** The record id a button's value names, or -1. */
    static long recordId(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
