package dev.yardstick.watch;

import dev.yardstick.chat.ChatAction;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * The "It's intended" and "Snooze 24 h" buttons of a runaway alert. Only the session's own user can settle it (the
 * alert is replaced with the answer); anyone else gets a private refusal and nothing changes.
 */
@ApplicationScoped
public class AlertButtons implements ChatAction {

    @Inject
    RunawayAlerts alerts;

    @Override
    public Set<String> actions() {
        return Set.of(RunawayAlerts.INTENDED, RunawayAlerts.SNOOZE_ACTION);
    }

    @Override
    public Reply click(Origin origin, String action, String value) {
        boolean intended = RunawayAlerts.INTENDED.equals(action);
        long id = ChatAction.recordId(value);
        RunawayAlerts.Settled s = origin.member().isEmpty() || id < 0
                ? RunawayAlerts.Settled.NOT_YOURS
                : intended
                        ? alerts.intended(id, origin.member().get().id)
                        : alerts.snooze(id, origin.member().get().id);
        return switch (s) {
            case DONE -> Reply.updated(alerts.settledMessage(id), intended
                    ? "Noted: no more alerts for this session."
                    : "Snoozed: no runaway alerts for you for the next 24 hours.");
            case NOT_YOURS -> Reply.note("This alert is about someone else's session; nothing was changed.");
            case NOT_FOUND -> Reply.note("This alert no longer exists.");
            case CLOSED -> Reply.note(AlertMessages.VOIDED_NOTE);
        };
    }
}
