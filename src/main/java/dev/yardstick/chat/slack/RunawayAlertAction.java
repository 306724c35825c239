package dev.yardstick.chat.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.App;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.Messenger;
import dev.yardstick.watch.Alerts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;

/**
 * The "It's intended" and "Snooze 24 h" buttons of a runaway alert. Only the session's own user can
 * settle it (the alert's DM is replaced with the answer); anyone else gets a private refusal and
 * nothing changes.
 */
@ApplicationScoped
public class RunawayAlertAction implements SlackListener {

    @Inject
    SlackIdentity identity;
    @Inject
    Alerts alerts;
    @Inject
    Messenger messenger;
    @Inject
    SlackBackground background;

    @Override
    public void register(App app) {
        app.blockAction(Alerts.INTENDED, (req, ctx) -> {
            background.run(() -> settle(req.getPayload(), true));
            return ctx.ack();
        });
        app.blockAction(Alerts.SNOOZE_ACTION, (req, ctx) -> {
            background.run(() -> settle(req.getPayload(), false));
            return ctx.ack();
        });
    }

    private void settle(BlockActionPayload p, boolean intended) {
        String teamId = p.getTeam() == null ? null : p.getTeam().getId();
        long alertId;
        try {
            alertId = Long.parseLong(p.getActions().get(0).getValue());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<Member> clicker = identity.resolve(teamId, p.getUser().getId());
        Alerts.Settled result = clicker.isEmpty()
                ? Alerts.Settled.NOT_YOURS
                : intended ? alerts.intended(alertId, clicker.get().id) : alerts.snooze(alertId, clicker.get().id);
        String reply = switch (result) {
            case DONE -> null;
            case NOT_YOURS -> "This alert is about someone else's session; nothing was changed.";
            case NOT_FOUND -> "This alert no longer exists.";
        };
        if (reply != null && p.getResponseUrl() != null) {
            messenger.respond("slack", teamId, p.getResponseUrl(), "respond:" + UUID.randomUUID(),
                    SlackReplies.text(reply));
        }
    }
}
