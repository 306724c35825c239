package dev.yardstick.chat.slack;

import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.response.Response;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.chat.Messenger;
import dev.yardstick.personal.PersonalFigures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /ai-spend [me|team|request <amount> <reason>|help]}: every answer is ephemeral. A linked
 * person asking for figures is answered in the ack; requests (which message managers) and people
 * Slack must first tell us about are acked at once and answered through the response URL.
 */
@ApplicationScoped
public class AiSpendCommand implements SlackListener {

    /** The slash command. */
    public static final String COMMAND = "/ai-spend";

    @Inject
    SlackIdentity identity;
    @Inject
    PersonalFigures figures;
    @Inject
    BudgetService budgets;
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
        String text = p.getText() == null ? "" : p.getText().trim();
        String sub = text.isEmpty() ? "me" : text.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        if (!sub.equals("me") && !sub.equals("team") && !sub.equals("request")) {
            return SlackReplies.ephemeral(help());
        }
        if (sub.equals("request") && text.equals(sub)) {
            modal.open(ctx, p.getTriggerId());
            return ctx.ack();
        }
        Optional<Member> linked = identity.linked(p.getUserId());
        if (linked.isPresent() && !sub.equals("request")) {
            return SlackReplies.ephemeral(answer(sub, text, linked.get(), p.getTeamId()));
        }
        background.run(() -> {
            ChatMessage reply = identity.resolve(p.getTeamId(), p.getUserId())
                    .map(m -> answer(sub, text, m, p.getTeamId())).orElseGet(SlackReplies::notLinked);
            messenger.respond("slack", p.getTeamId(), p.getResponseUrl(), "respond:" + UUID.randomUUID(), reply);
        });
        return ctx.ack();
    }

    private ChatMessage answer(String sub, String text, Member member, String slackTeamId) {
        return switch (sub) {
            case "team" -> QuarkusTransaction.requiringNew().call(() -> {
                Team team = member.teamKey == null ? null : Team.findById(member.teamKey);
                return team == null
                        ? SlackReplies.text("You're not in a team yet, so there are no team figures to show.")
                        : figures.teamWeek(team, Instant.now());
            });
            case "request" -> request(text.substring("request".length()).trim(), member, slackTeamId);
            default -> QuarkusTransaction.requiringNew().call(() -> figures.myWeek(member, Instant.now()));
        };
    }

    private ChatMessage request(String args, Member member, String slackTeamId) {
        String[] parts = args.split("\\s+", 2);
        BigDecimal amount = BudgetService.parseAmount(parts[0]);
        if (amount == null || parts.length < 2 || parts[1].isBlank()) {
            return SlackReplies.text("Usage: /ai-spend request <amount in USD> <reason>, for example "
                    + "/ai-spend request 150 load tests for the new checkout. Or run /ai-spend request alone for a form.");
        }
        if (member.teamKey == null) {
            return SlackReplies
                    .text("You're not in a team yet, so there is no budget to raise. Ask your Yardstick admin.");
        }
        Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(member.teamKey));
        identity.linkByEmail(slackTeamId, team.managers);
        BudgetService.Created created = budgets.request(member.id, amount, "week", parts[1].trim());
        return confirmation(created);
    }

    static ChatMessage confirmation(BudgetService.Created created) {
        String who = created.managersNotified() == 0
                ? "No manager of your team can be reached in Slack yet; your Yardstick admin can see it in the audit."
                : "Sent to " + created.managersNotified() + (created.managersNotified() == 1 ? " manager" : " managers")
                        + "; you'll get a message when one of them decides.";
        String text = "Request #" + created.request().id + ": " + Format.usd(created.request().amountUsd) + " more, "
                + ("week".equals(created.request().scope) ? "this week only" : "permanently") + ". " + who;
        return SlackReplies.text(text);
    }

    static ChatMessage help() {
        return ChatMessage.builder("How to use /ai-spend")
                .paragraph(
                        "**/ai-spend** or **/ai-spend me**: your own AI use this week, against your own last 4 weeks\n"
                                + "**/ai-spend team**: your team's totals this week (no individuals)\n"
                                + "**/ai-spend request 150 reason**: ask your managers for more budget this week\n"
                                + "**/ai-spend request**: the same, with a form (this week or permanent)\n"
                                + "**/ai-spend help**: this text")
                .note("Answers are visible only to you.")
                .build();
    }
}
