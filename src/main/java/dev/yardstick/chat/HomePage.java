package dev.yardstick.chat;

import dev.yardstick.admin.Member;

/** What a person sees on the bot's home page (Slack's App Home): their own figures only. */
public interface HomePage {

    /** The home page of a member. */
    ChatMessage of(Member member);
}
