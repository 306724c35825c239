package dev.yardstick.chat.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.App;
import com.slack.api.methods.MethodsClient;
import dev.yardstick.chat.ChatAction;
import dev.yardstick.chat.Inbound;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.Reply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.UUID;

/**
 * The buttons of every feature's messages: each press is acked at once and handled in the background through
 * {@link Inbound} for the member who pressed it. A press that changed its message says nothing more (the message
 * is updated through the outbox); a press that opens a form opens it as a modal with the press's trigger; otherwise
 * the reply's note goes to that person only.
 */
@ApplicationScoped
public class SlackButtons implements SlackListener {

    @Inject
    Instance<ChatAction> actions;
    @Inject
    Inbound inbound;
    @Inject
    SlackIdentity identity;
    @Inject
    Messenger messenger;
    @Inject
    SlackBackground background;
    @Inject
    AiSpendCommand commands;
    @Inject
    SlackForms forms;

    @Override
    public void register(App app) {
        for (ChatAction a : actions) {
            for (String action : a.actions()) {
                app.blockAction(action, (req, ctx) -> {
                    BlockActionPayload p = req.getPayload();
                    if (p.getUser() == null || p.getActions() == null || p.getActions().isEmpty()) {
                        throw new SlackServlets.Malformed("a button press without its user or action");
                    }
                    var client = ctx.client();
                    background.run(() -> press(p, client));
                    return ctx.ack();
                });
            }
        }
    }

    private void press(BlockActionPayload p, MethodsClient client) {
        String teamId = p.getTeam() == null ? null : p.getTeam().getId();
        BlockActionPayload.Action action = p.getActions().get(0);
        Reply reply = inbound.click(commands.origin(teamId, identity.resolve(teamId, p.getUser().getId())),
                action.getActionId(), action.getValue());
        if (reply.form() != null) {
            forms.open(client, p.getTriggerId(), reply.form());
            return;
        }
        if (!reply.changed() && reply.note() != null && p.getResponseUrl() != null) {
            messenger.respond("slack", teamId, p.getResponseUrl(), MessageKey.of("respond", UUID.randomUUID()),
                    reply.note());
        }
    }
}
