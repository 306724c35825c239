package dev.yardstick.chat.slack;

import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.response.Response;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Messenger;
import dev.yardstick.personal.AiSpend;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /ai-spend [me|team|request <amount> <reason>|help]} on Slack (the command itself is
 * {@link AiSpend}): every answer is ephemeral. A linked person asking for figures is answered in the
 * ack; requests (which message managers) and people Slack must first tell us about are acked at once
 * and answered through the response URL. {@code request} alone opens a modal.
 */
@ApplicationScoped
public class AiSpendCommand implements SlackListener {

    /** The slash command. */
    public static final String COMMAND = "/ai-spend";

    @Inject
    SlackIdentity identity;
    @Inject
    AiSpend aiSpend;
    @Inject
    Messenger messenger;
    @Inject
    SlackBackground background;
    @Inject
    BudgetRequestModal modal;

    @Override
    public void register(App app) {
        app.command(COMMAND, (req, ctx) -> handle(req.getPayload(), ctx));
    }

    private Response handle(SlashCommandPayload p, SlashCommandContext ctx) {
        if (p.getUserId() == null || p.getUserId().isBlank() || p.getResponseUrl() == null
                || p.getResponseUrl().isBlank()) {
            throw new SlackServlets.Malformed("a slash command without its user or response URL");
        }
        String text = p.getText() == null ? "" : p.getText().trim();
        AiSpend.Kind kind = AiSpend.kind(text);
        if (kind == AiSpend.Kind.HELP) {
            return SlackReplies.ephemeral(AiSpend.help(COMMAND, true));
        }
        if (kind == AiSpend.Kind.REQUEST && text.equalsIgnoreCase("request")) {
            modal.open(ctx, p.getTriggerId());
            return ctx.ack();
        }
        Optional<Member> linked = identity.linked(p.getUserId());
        if (linked.isPresent() && kind != AiSpend.Kind.REQUEST) {
            return SlackReplies.ephemeral(aiSpend.answer(linked.get(), text, COMMAND));
        }
        background.run(() -> {
            ChatMessage reply = identity.resolve(p.getTeamId(), p.getUserId())
                    .map(m -> answer(kind, text, m, p.getTeamId())).orElseGet(SlackReplies::notLinked);
            messenger.respond("slack", p.getTeamId(), p.getResponseUrl(), "respond:" + UUID.randomUUID(), reply);
        });
        return ctx.ack();
    }

    private ChatMessage answer(AiSpend.Kind kind, String text, Member member, String slackTeamId) {
        if (kind == AiSpend.Kind.REQUEST && member.teamKey != null) {
            // managers may be known only by email: find them on Slack so they can be asked
            Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(member.teamKey));
            identity.linkByEmail(slackTeamId, team.managers);
        }
        return aiSpend.answer(member, text, COMMAND);
    }
}
