package dev.yardstick.settings;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.PersonalData;
import dev.yardstick.admin.TeamChanged;
import dev.yardstick.admin.TeamSettings;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * Tells a team's other managers of each change of its settings, one DM each, queued in the transaction of the
 * change under a key made of its audit row ({@code team-settings:<audit id>:manager:<member id>}), so exactly once;
 * the manager who made it hears nothing more. Erasure rewrites these DMs where they name the person.
 */
@ApplicationScoped
public class SettingsNotices implements PersonalData {

    /** The kind of the DMs' message keys. */
    static final String KIND = "team-settings";

    @Inject
    Messenger messenger;
    @Inject
    TeamSettings settings;

    void onChange(@Observes TeamChanged change) {
        if (change.managers().isEmpty() || created(change)) {
            return;
        }
        String who = "scim".equals(change.via()) ? "Your identity provider (SCIM)" : "An admin";
        if (change.actorEmail() != null) {
            Member actor = Member.byEmail(change.actorEmail()).orElse(null);
            who = actor == null || actor.displayName == null || actor.displayName.isBlank()
                    ? change.actorEmail()
                    : actor.displayName + " (" + change.actorEmail() + ")";
        }
        ChatMessage message = ChatMessage.text(who + " changed team "
                + SettingsForm.name(change.teamName(), change.teamKey()) + "'s settings: "
                + SettingsForm.describe(change.changes()) + ".");
        for (Member m : Member.<Member>list("email in ?1 order by email", change.managers())) {
            if (!m.email.equals(change.actorEmail())) {
                messenger.directMessage(m.id, MessageKey.of(KIND, change.auditId(), "manager", m.id), message);
            }
        }
    }

    /** A team's creation is in its audit but is no change of settings to tell its managers about. */
    private static boolean created(TeamChanged change) {
        return change.changes().stream().anyMatch(c -> "status".equals(c.field()) && c.from() == null);
    }

    @Override
    public Map<String, Integer> erase(Subject subject) {
        int n = 0;
        for (long id : settings.madeBy(subject.storedEmail())) {
            n += messenger.rewrite(MessageKey.of(KIND, id), subject::anonymise);
        }
        return Map.of("outbox_message.team-settings", n);
    }
}
