package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;
import com.slack.api.methods.MethodsClient;
import com.slack.api.model.view.ViewState;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.Form;
import dev.yardstick.chat.FormHandler;
import dev.yardstick.chat.Inbound;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.Reply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The features' forms as Slack modals: opened with the command's trigger, their submissions ({@code view_submission},
 * callback id = the form's id) checked within the ack (errors shown on the fields) and carried out in the background;
 * what the feature answers goes to the person as a DM, once per modal.
 */
@ApplicationScoped
public class SlackForms implements SlackListener {

    private static final Logger LOG = Logger.getLogger(SlackForms.class);

    @Inject
    Instance<FormHandler> handlers;
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

    @Override
    public void register(App app) {
        for (FormHandler h : handlers) {
            String id = h.form().id();
            app.viewSubmission(id, (req, ctx) -> {
                var view = req.getPayload().getView();
                if (view == null || view.getState() == null || view.getState().getValues() == null
                        || req.getPayload().getUser() == null) {
                    throw new SlackServlets.Malformed("a view submission without its state or user");
                }
                Map<String, String> fields = fields(view.getState().getValues());
                if (view.getPrivateMetadata() != null && !view.getPrivateMetadata().isEmpty()) {
                    fields.put(Form.CONTEXT, view.getPrivateMetadata());
                }
                Map<String, String> errors = inbound.check(id, fields);
                if (!errors.isEmpty()) {
                    return ctx.ack(r -> r.responseAction("errors").errors(errors));
                }
                String userId = req.getPayload().getUser().getId();
                String teamId = req.getPayload().getTeam() == null ? null : req.getPayload().getTeam().getId();
                MessageKey key = MessageKey.of("form", id,
                        view.getId() == null ? userId + "-" + System.nanoTime() : view.getId());
                background.run(() -> submit(teamId, userId, id, fields, key));
                return ctx.ack();
            });
        }
    }

    /** Opens a form as a modal for the person who ran the command or pressed the button (its trigger). */
    void open(MethodsClient client, String triggerId, Form form) {
        try {
            var r = client.viewsOpen(req -> req.triggerId(triggerId).viewAsString(BlockKit.modal(form)));
            if (!r.isOk()) {
                LOG.warnf("views.open failed: %s", r.getError());
            }
        } catch (Exception e) {
            LOG.warnf("views.open failed: %s", e.toString());
        }
    }

    private void submit(String teamId, String userId, String formId, Map<String, String> fields, MessageKey key) {
        Optional<Member> member = identity.resolve(teamId, userId);
        if (member.isEmpty()) {
            return;
        }
        Reply reply = inbound.submit(commands.origin(teamId, member), formId, fields);
        if (reply.note() != null) {
            messenger.directMessage(member.get().id, key, reply.note());
        }
    }

    /**
     * A modal's state as field values: each input block is a field named by its block id; a field left empty (a
     * cleared text, no channel picked) is empty.
     */
    private static Map<String, String> fields(Map<String, Map<String, ViewState.Value>> values) {
        Map<String, String> fields = new HashMap<>();
        values.forEach((block, actions) -> {
            ViewState.Value v = actions == null ? null : actions.get("value");
            if (v == null) {
                return;
            }
            if (v.getSelectedOption() != null) {
                fields.put(block, v.getSelectedOption().getValue());
            } else if (v.getSelectedConversation() != null) {
                fields.put(block, v.getSelectedConversation());
            } else {
                fields.put(block, v.getValue() == null ? "" : v.getValue());
            }
        });
        return fields;
    }
}
