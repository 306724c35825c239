package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;
import dev.yardstick.admin.Member;
import dev.yardstick.budget.BudgetService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The Approve and Deny buttons of a budget request. Only a manager of the request's team decides;
 * anyone else gets a private refusal. The first decision wins; later clicks are told who decided.
 */
@ApplicationScoped
public class BudgetDecisionAction implements SlackListener {

    @Inject
    BudgetService budgets;
    @Inject
    ButtonClicks clicks;

    @Override
    public void register(App app) {
        clicks.on(app, BudgetService.APPROVE, (id, clicker) -> decide(id, clicker, true));
        clicks.on(app, BudgetService.DENY, (id, clicker) -> decide(id, clicker, false));
    }

    private String decide(long requestId, Optional<Member> clicker, boolean approve) {
        BudgetService.Decision d = clicker.isEmpty()
                ? new BudgetService.NotManager()
                : budgets.decide(requestId, clicker.get().id, approve);
        if (d instanceof BudgetService.NotManager) {
            return "Only a manager of this team can approve or deny budget requests; nothing was changed.";
        } else if (d instanceof BudgetService.AlreadyDecided a) {
            return "expired".equals(a.request().status)
                    ? "This request expired before anyone decided; nothing was changed."
                    : "Already " + a.request().status + " by " + a.request().decidedBy + "; nothing was changed.";
        } else if (d instanceof BudgetService.NotFound) {
            return "This request no longer exists.";
        }
        return null;
    }
}
