package dev.yardstick.chat;

import dev.yardstick.admin.Member;

/**
 * A feature's part of what a person sees on the bot's home page (Slack's App Home): their own figures only, and what
 * they may do there (a manager's "Team settings"). The parts are shown one after the other, in their order.
 */
public interface HomePage {

    /** The part of a member's home page, or null for none. */
    ChatMessage of(Member member);

    /** Where this part sits on the page, lowest first (the person's own figures: 0). */
    default int order() {
        return 0;
    }
}
