package dev.yardstick.chat.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.App;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.Messenger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;

/**
 * Buttons whose value is a record id: each click is acked at once and handled in the background for
 * the member who clicked; what the handler answers goes back to that person only.
 */
@ApplicationScoped
public class ButtonClicks {

    /** Handles one click. */
    public interface Handler {

        /**
         * Acts on the record {@code id} for {@code clicker} (empty when the Slack user is no known
         * member) and returns a private reply, or null when the changed message says it all.
         */
        String handle(long id, Optional<Member> clicker);
    }

    @Inject
    SlackIdentity identity;
    @Inject
    Messenger messenger;
    @Inject
    SlackBackground background;

    /** Registers {@code handler} for the button {@code actionId}. */
    public void on(App app, String actionId, Handler handler) {
        app.blockAction(actionId, (req, ctx) -> {
            BlockActionPayload p = req.getPayload();
            background.run(() -> handle(p, handler));
            return ctx.ack();
        });
    }

    private void handle(BlockActionPayload p, Handler handler) {
        String teamId = p.getTeam() == null ? null : p.getTeam().getId();
        long id;
        try {
            id = Long.parseLong(p.getActions().get(0).getValue());
        } catch (NumberFormatException e) {
            return;
        }
        String reply = handler.handle(id, identity.resolve(teamId, p.getUser().getId()));
        if (reply != null && p.getResponseUrl() != null) {
            messenger.respond("slack", teamId, p.getResponseUrl(), "respond:" + UUID.randomUUID(),
                    SlackReplies.text(reply));
        }
    }
}
