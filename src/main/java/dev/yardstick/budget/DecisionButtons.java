package dev.yardstick.budget;

import dev.yardstick.chat.ChatAction;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * The Approve and Deny buttons of a budget request. Only a manager of the request's team decides; anyone else gets a
 * private refusal. The first decision wins; later presses are told who decided. {@link BudgetService#CURRENT} is no
 * button: it answers a platform asking for the card's current version (a Teams refresh), for managers only.
 */
@ApplicationScoped
public class DecisionButtons implements ChatAction {

    @Inject
    BudgetService budgets;

    @Override
    public Set<String> actions() {
        return Set.of(BudgetService.APPROVE, BudgetService.DENY, BudgetService.CURRENT);
    }

    @Override
    public Reply click(Origin origin, String action, String value) {
        if (BudgetService.CURRENT.equals(action)) {
            ChatMessage card = origin.member().isEmpty() || ChatAction.recordId(value) < 0
                    ? null
                    : budgets.currentCard(ChatAction.recordId(value), origin.member().get().id);
            return card == null
                    ? Reply.note("Only a manager of this team can see this budget request.")
                    : Reply.current(card);
        }
        boolean approve = BudgetService.APPROVE.equals(action);
        long id = ChatAction.recordId(value);
        BudgetService.Decision d = origin.member().isEmpty() || id < 0
                ? new BudgetService.NotManager()
                : budgets.decide(id, origin.member().get().id, approve);
        if (d instanceof BudgetService.Decided decided) {
            return Reply.updated(budgets.decidedCard(id),
                    (approve ? "Approved" : "Denied") + " request #" + decided.request().id
                            + ". The requester is told.");
        } else if (d instanceof BudgetService.AlreadyDecided already) {
            return Reply.unchanged(budgets.decidedCard(id), "expired".equals(already.request().status)
                    ? "This request expired before anyone decided; nothing was changed."
                    : "Already " + already.request().status + " by " + already.request().decidedBy
                            + "; nothing was changed.");
        } else if (d instanceof BudgetService.NotFound) {
            return Reply.note("This request no longer exists.");
        }
        return Reply.note("Only a manager of this team can approve or deny budget requests; nothing was changed.");
    }
}
