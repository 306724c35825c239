package dev.yardstick.admin;

import java.util.List;
import java.util.Optional;

/**
 * Where the members of a team's chat user group are read ({@link SlackGroupSync}); implemented by the Slack adapter,
 * so that this feature never sees a platform's types.
 */
public interface GroupDirectory {

    /** The people in a group, by their user ids on the platform, and the workspace it was found in. */
    record Group(String workspaceId, List<String> userIds) {
    }

    /**
     * A person on the platform.
     *
     * @param email the email of their profile, lower-case; null when the platform shows none
     */
    record Person(String userId, String workspaceId, String email, String displayName) {
    }

    /** The platform could not answer; the message says why, for an admin to read. */
    class Failure extends RuntimeException {

        /** A failure with a message an admin can act on. */
        public Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** Whether the platform is configured so that groups can be read. */
    boolean available();

    /** The members of a user group (such as {@code S0123ABCD}); throws {@link Failure}. */
    Group members(String groupId);

    /**
     * A person by user id, or empty for one who is no person to count (a bot, a deactivated account); throws
     * {@link Failure}.
     */
    Optional<Person> person(String workspaceId, String userId);
}
