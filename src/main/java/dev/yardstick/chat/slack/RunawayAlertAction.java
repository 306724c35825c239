package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;
import dev.yardstick.admin.Member;
import dev.yardstick.watch.Alerts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The "It's intended" and "Snooze 24 h" buttons of a runaway alert. Only the session's own user can
 * settle it (the alert's DM is replaced with the answer); anyone else gets a private refusal and
 * nothing changes.
 */
@ApplicationScoped
public class RunawayAlertAction implements SlackListener {

    @Inject
    Alerts alerts;
    @Inject
    ButtonClicks clicks;

    @Override
    public void register(App app) {
        clicks.on(app, Alerts.INTENDED, (id, clicker) -> settle(id, clicker, true));
        clicks.on(app, Alerts.SNOOZE_ACTION, (id, clicker) -> settle(id, clicker, false));
    }

    private String settle(long alertId, Optional<Member> clicker, boolean intended) {
        Alerts.Settled result = clicker.isEmpty()
                ? Alerts.Settled.NOT_YOURS
                : intended ? alerts.intended(alertId, clicker.get().id) : alerts.snooze(alertId, clicker.get().id);
        return switch (result) {
            case DONE -> null;
            case NOT_YOURS -> "This alert is about someone else's session; nothing was changed.";
            case NOT_FOUND -> "This alert no longer exists.";
        };
    }
}
