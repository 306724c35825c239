package dev.yardstick.chat;

/**
 * A sub-command of {@code ai-spend}, registered by the feature that answers it; {@link Inbound} dispatches to it on
 * every platform. Every answer is for the person who asked only.
 */
public interface ChatCommand {

    /** The word that selects it ({@code team}); the empty word is the command alone. */
    String word();

    /** Where its line sits in the usage text. */
    int order();

    /** Its line of the usage text ({@code **ai-spend team**: …}), given how people type the command. */
    String usage(String command, Origin origin);

    /** Whether answering may take longer than a platform waits for an answer (it writes, or reaches people). */
    default boolean slow(String args) {
        return false;
    }

    /**
     * What a platform says at once when the answer comes later than it must acknowledge the command (Slack's 3
     * seconds), so that nobody looks at an empty reply: a short present-tense sentence ending in an ellipsis.
     */
    default String working(String args) {
        return "Working on it…";
    }

    /** Answers {@code args} (the text after the word) for a known member. */
    Reply run(Origin origin, String args, String command);
}
