package dev.yardstick.budget;

import dev.yardstick.chat.ChatAction;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

/**
 * One-tap asks for more budget, on the messages that tell someone a spend cap stopped or is about to stop them:
 * "Ask for +$50" and "Ask for +$100" file the ordinary request for this week (the managers' DMs as always);
 * "Ask for another amount…" does what {@code ai-spend request} alone does (a form where the platform has forms).
 */
@ApplicationScoped
public class AskButtons implements ChatAction {

    /** Presses asking for $50 and $100 (Slack wants each button of a message to have its own action id). */
    public static final String ASK_50 = "budget.ask-50";
    public static final String ASK_100 = "budget.ask-100";
    /** A press asking for another amount. */
    public static final String ASK_OTHER = "budget.ask-other";
    /** The reason a one-tap request gives its managers. */
    static final String REASON = "Asked in one tap after a spend cap stopped or warned them.";

    @Inject
    RequestCommand command;
    @Inject
    BudgetService budgets;

    /** The three buttons. */
    public static List<ChatMessage.Button> buttons() {
        return List.of(new ChatMessage.Button(ASK_50, "Ask for +$50", "50", "primary"),
                new ChatMessage.Button(ASK_100, "Ask for +$100", "100", null),
                new ChatMessage.Button(ASK_OTHER, "Ask for another amount…", "other", null));
    }

    @Override
    public Set<String> actions() {
        return Set.of(ASK_50, ASK_100, ASK_OTHER);
    }

    @Override
    public Reply click(Origin origin, String action, String value) {
        if (origin.member().isEmpty()) {
            return Reply.note("You're not linked to a Yardstick member yet, so there is no budget to ask for.");
        }
        if (ASK_OTHER.equals(action)) {
            return command.run(origin, "", "ai-spend");
        }
        BigDecimal amount = BigDecimal.valueOf(ASK_50.equals(action) ? 50 : 100);
        long member = origin.member().get().id;
        List<BudgetRequest> pending = QuarkusTransaction.requiringNew().call(() -> budgets.pendingOf(member));
        if (!pending.isEmpty()) {
            return Reply.note("Your request #" + pending.get(0).id + " is still waiting for a manager; nothing "
                    + "more was asked.");
        }
        return command.ask(origin, amount, "week", REASON);
    }
}
