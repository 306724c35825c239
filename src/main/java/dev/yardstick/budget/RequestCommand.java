package dev.yardstick.budget;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.chat.ChatCommand;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;

/**
 * {@code ai-spend request <amount> <reason>}: asks the team's managers for more budget this week; alone, on a platform
 * with forms, it opens {@link RequestForm}.
 */
@ApplicationScoped
public class RequestCommand implements ChatCommand {

    @Inject
    BudgetService budgets;
    @Inject
    RequestForm form;

    @Override
    public String word() {
        return "request";
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public String usage(String command, Origin origin) {
        return "**" + command + " request 150 reason**: ask your managers for more budget this week"
                + (origin.forms()
                        ? "\n**" + command + " request**: the same, with a form (this week or permanent)"
                        : "");
    }

    @Override
    public boolean slow(String args) {
        return !args.isEmpty();
    }

    @Override
    public String working(String args) {
        return args.isEmpty() ? "Opening the request form…" : "Sending your request to your team's managers…";
    }

    @Override
    public Reply run(Origin origin, String args, String command) {
        if (args.isEmpty() && origin.forms()) {
            return Reply.form(form.form());
        }
        String[] parts = args.split("\\s+", 2);
        BigDecimal amount = BudgetService.parseAmount(parts[0]);
        if (amount == null || parts.length < 2 || parts[1].isBlank()) {
            return Reply.note("Usage: " + command + " request <amount in USD> <reason>, for example " + command
                    + " request 150 load tests for the new checkout.");
        }
        return ask(origin, amount, "week", parts[1].trim());
    }

    /** Records a request of the origin's member and asks the managers; the reply is the requester's confirmation. */
    Reply ask(Origin origin, BigDecimal amount, String scope, String reason) {
        Member member = origin.member().orElseThrow();
        if (member.teamKey == null) {
            return Reply.note("You're not in a team yet, so there is no budget to raise. Ask your Yardstick admin.");
        }
        Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(member.teamKey));
        if (team != null) {
            origin.reach(team.managers);
        }
        return Reply.note(confirmation(budgets.request(member.id, amount, scope, reason)));
    }

    /** What the requester is told once a budget request is recorded. */
    static ChatMessage confirmation(BudgetService.Created created) {
        String who = created.managersNotified() == 0
                ? "No manager of your team can be reached in chat yet; your Yardstick admin can see it in the audit."
                : "Sent to " + created.managersNotified() + (created.managersNotified() == 1 ? " manager" : " managers")
                        + "; you'll get a message when one of them decides.";
        return ChatMessage.text("Request #" + created.request().id + ": " + Format.usd(created.request().amountUsd)
                + " more, " + ("week".equals(created.request().scope) ? "this week only" : "permanently") + ". "
                + who);
    }
}
