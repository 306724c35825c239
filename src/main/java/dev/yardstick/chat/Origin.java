package dev.yardstick.chat;

import dev.yardstick.admin.Member;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Who did something in chat: the platform it happened on and the member they are (empty when the platform's user is
 * no known member), and how to make sure people can be reached on that platform (Slack finds members by email).
 */
public final class Origin {

    private final String platform;
    private final Optional<Member> member;
    private final boolean forms;
    private final Consumer<Collection<String>> reach;

    /**
     * @param forms whether the platform can open a form (Slack's modals); elsewhere commands take their arguments
     * @param reach makes the people with these emails reachable on the platform before they are messaged
     */
    public Origin(String platform, Optional<Member> member, boolean forms, Consumer<Collection<String>> reach) {
        this.platform = platform;
        this.member = member;
        this.forms = forms;
        this.reach = reach;
    }

    /** An origin on a platform that reaches people without help and opens no forms. */
    public static Origin of(String platform, Optional<Member> member) {
        return new Origin(platform, member, false, emails -> {
        });
    }

    public String platform() {
        return platform;
    }

    public Optional<Member> member() {
        return member;
    }

    public boolean forms() {
        return forms;
    }

    /** Makes the people with these emails reachable on this platform (before they are messaged). */
    public void reach(Collection<String> emails) {
        reach.accept(emails);
    }
}
