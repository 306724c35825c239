package dev.yardstick.chat.slack;

import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.response.Response;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Inbound;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /ai-spend [me|team|request <amount> <reason>|help]} on Slack (the commands themselves are the features'
 * {@link dev.yardstick.chat.ChatCommand}s, through {@link Inbound}): every answer is ephemeral. A linked person asking
 * for something quick is answered in the ack; slow commands (which message managers) and people Slack must first
 * tell us about are acked at once with the command's {@code working} sentence ("Looking up your week…") and answered
 * through the response URL (through the outbox). A command that answers
 * with a form opens it as a modal. A reply that holds a secret ({@code connect}'s token) is never queued: it is the
 * ack itself, or, for a person Slack must first tell us about, one direct post to the response URL.
 */
@ApplicationScoped
public class AiSpendCommand implements SlackListener {

    /** The slash command. */
    public static final String COMMAND = "/ai-spend";

    @Inject
    SlackIdentity identity;
    @Inject
    Inbound inbound;
    @Inject
    Messenger messenger;
    @Inject
    SlackBackground background;
    @Inject
    SlackForms forms;
    @Inject
    SlackTransport transport;

    @Override
    public void register(App app) {
        app.command(COMMAND, (req, ctx) -> handle(req.getPayload(), ctx));
    }

    /** Who ran a command or pressed a button on Slack. */
    Origin origin(String teamId, Optional<Member> member) {
        return new Origin("slack", member, true, emails -> identity.linkByEmail(teamId, List.copyOf(emails)));
    }

    private Response handle(SlashCommandPayload p, SlashCommandContext ctx) {
        if (p.getUserId() == null || p.getUserId().isBlank() || p.getResponseUrl() == null
                || p.getResponseUrl().isBlank()) {
            throw new SlackServlets.Malformed("a slash command without its user or response URL");
        }
        String text = p.getText() == null ? "" : p.getText().trim();
        if (inbound.help(text)) {
            return SlackReplies.ephemeral(inbound.help(origin(p.getTeamId(), Optional.empty()), COMMAND));
        }
        Optional<Member> linked = identity.linked(p.getUserId());
        if (linked.isPresent() && !inbound.slow(text)) {
            Reply reply = inbound.command(origin(p.getTeamId(), linked), text, COMMAND);
            if (reply.form() != null) {
                forms.open(ctx.client(), p.getTriggerId(), reply.form());
                return ctx.ack();
            }
            return SlackReplies.ephemeral(reply.note());
        }
        background.run(() -> {
            Optional<Member> member = identity.resolve(p.getTeamId(), p.getUserId());
            Reply reply = member.isEmpty() ? null : inbound.command(origin(p.getTeamId(), member), text, COMMAND);
            if (reply != null && reply.form() != null) {
                forms.open(ctx.client(), p.getTriggerId(), reply.form());
                return;
            }
            if (reply != null && reply.secret()) {
                transport.respondOnce(p.getResponseUrl(), reply.note());
                return;
            }
            messenger.respond("slack", p.getTeamId(), p.getResponseUrl(), MessageKey.of("respond", UUID.randomUUID()),
                    reply == null || reply.note() == null ? SlackReplies.notLinked() : reply.note());
        });
        // the answer comes later, through the response URL: say so now rather than ack with nothing
        return SlackReplies.ephemeral(ChatMessage.text(inbound.working(text)));
    }
}
