package dev.yardstick.personal;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;

/**
 * The {@code ai-spend} command, whatever the platform ({@code /ai-spend} on Slack, {@code ai-spend}
 * in a 1:1 chat on Teams, the form of the local preview): {@code me}, {@code team},
 * {@code request <amount> <reason>}, {@code help}. Every answer is for the person who asked only.
 */
@ApplicationScoped
public class AiSpend {

    /** What a command asks for. */
    public enum Kind {
        ME, TEAM, REQUEST, HELP
    }

    @Inject
    PersonalFigures figures;
    @Inject
    BudgetService budgets;

    /** The sub-command of a command text: empty means {@code me}; anything unknown means help. */
    public static Kind kind(String text) {
        String t = text == null ? "" : text.trim();
        String sub = t.isEmpty() ? "me" : t.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        return switch (sub) {
            case "me" -> Kind.ME;
            case "team" -> Kind.TEAM;
            case "request" -> Kind.REQUEST;
            default -> Kind.HELP;
        };
    }

    /**
     * The answer to a command from a known member. {@code request} records a budget request and
     * asks the team's managers (link managers to the platform first, so they can be reached).
     *
     * @param command how people type the command on this platform, for usage texts
     */
    public ChatMessage answer(Member member, String text, String command) {
        String t = text == null ? "" : text.trim();
        return switch (kind(t)) {
            case TEAM -> QuarkusTransaction.requiringNew().call(() -> {
                Team team = member.teamKey == null ? null : Team.findById(member.teamKey);
                return team == null
                        ? text("You're not in a team yet, so there are no team figures to show.")
                        : figures.teamWeek(team, Instant.now());
            });
            case REQUEST -> request(t.substring("request".length()).trim(), member, command);
            case HELP -> help(command, false);
            case ME -> QuarkusTransaction.requiringNew().call(() -> figures.myWeek(member, Instant.now()));
        };
    }

    private ChatMessage request(String args, Member member, String command) {
        String[] parts = args.split("\\s+", 2);
        BigDecimal amount = BudgetService.parseAmount(parts[0]);
        if (amount == null || parts.length < 2 || parts[1].isBlank()) {
            return text("Usage: " + command + " request <amount in USD> <reason>, for example " + command
                    + " request 150 load tests for the new checkout.");
        }
        if (member.teamKey == null) {
            return text("You're not in a team yet, so there is no budget to raise. Ask your Yardstick admin.");
        }
        return confirmation(budgets.request(member.id, amount, "week", parts[1].trim()));
    }

    /** What the requester is told once a budget request is recorded. */
    public static ChatMessage confirmation(BudgetService.Created created) {
        String who = created.managersNotified() == 0
                ? "No manager of your team can be reached in chat yet; your Yardstick admin can see it in the audit."
                : "Sent to " + created.managersNotified() + (created.managersNotified() == 1 ? " manager" : " managers")
                        + "; you'll get a message when one of them decides.";
        String text = "Request #" + created.request().id + ": " + Format.usd(created.request().amountUsd) + " more, "
                + ("week".equals(created.request().scope) ? "this week only" : "permanently") + ". " + who;
        return text(text);
    }

    /**
     * The usage text.
     *
     * @param requestForm whether {@code request} alone opens a form (Slack's modal)
     */
    public static ChatMessage help(String command, boolean requestForm) {
        return ChatMessage.builder("How to use " + command)
                .paragraph("**" + command + "** or **" + command
                        + " me**: your own AI use this week, against your own last 4 weeks\n"
                        + "**" + command + " team**: your team's totals this week (no individuals)\n"
                        + "**" + command + " request 150 reason**: ask your managers for more budget this week\n"
                        + (requestForm
                                ? "**" + command + " request**: the same, with a form (this week or permanent)\n"
                                : "")
                        + "**" + command + " help**: this text")
                .note("Answers are visible only to you.")
                .build();
    }

    /** A one-paragraph message. */
    public static ChatMessage text(String text) {
        return ChatMessage.builder(text).paragraph(text).build();
    }
}
