package dev.yardstick.admin;

import java.time.Instant;

/**
 * A person leaving, wherever it is decided ({@code DELETE /api/v1/members/{email}}, a SCIM User deactivated or
 * deleted): no team, no longer a manager, no direct messages, not counted active from now on; past totals stay.
 */
final class Leavers {

    private Leavers() {
    }

    /** Makes {@code m} a leaver (keeping an earlier {@code leftAt}), in the current transaction. */
    static void leave(Member m) {
        Instant now = Instant.now();
        m.teamKey = null;
        if (m.leftAt == null) {
            m.leftAt = now;
        }
        m.updatedAt = now;
        Member.getEntityManager().createNativeQuery("""
                update team set managers = array_remove(managers, ?1), updated_at = now() where ?1 = any(managers)
                """).setParameter(1, m.email).executeUpdate();
    }
}
