package dev.yardstick.admin;

import java.util.List;

/**
 * A team's settings changed (fired by {@link TeamSettings} in the transaction of the change, right after its audit
 * row is written): observed by the feature that tells the team's other managers.
 *
 * @param auditId    the change's audit row
 * @param via        where the change came from: {@code api}, {@code scim} or a chat platform
 * @param actorEmail the manager who changed it in chat, or null for the admin API and SCIM
 * @param managers   the team's managers before and after the change
 */
public record TeamChanged(long auditId, String teamKey, String teamName, String via, String actorEmail,
        List<String> managers,
        List<TeamSettings.Change> changes) {
}
