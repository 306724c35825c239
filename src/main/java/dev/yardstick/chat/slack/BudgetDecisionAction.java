package dev.yardstick.chat.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.App;
import dev.yardstick.admin.Member;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.Messenger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;

/**
 * The Approve and Deny buttons of a budget request. Only a manager of the request's team decides;
 * anyone else gets a private refusal. The first decision wins; later clicks are told who decided.
 */
@ApplicationScoped
public class BudgetDecisionAction implements SlackListener {

    @Inject
    SlackIdentity identity;
    @Inject
    BudgetService budgets;
    @Inject
    Messenger messenger;
    @Inject
    SlackBackground background;

    @Override
    public void register(App app) {
        app.blockAction(BudgetService.APPROVE, (req, ctx) -> {
            background.run(() -> decide(req.getPayload(), true));
            return ctx.ack();
        });
        app.blockAction(BudgetService.DENY, (req, ctx) -> {
            background.run(() -> decide(req.getPayload(), false));
            return ctx.ack();
        });
    }

    private void decide(BlockActionPayload p, boolean approve) {
        String teamId = p.getTeam() == null ? null : p.getTeam().getId();
        String value = p.getActions().get(0).getValue();
        long requestId;
        try {
            requestId = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return;
        }
        Optional<Member> clicker = identity.resolve(teamId, p.getUser().getId());
        BudgetService.Decision d = clicker.isEmpty()
                ? new BudgetService.NotManager()
                : budgets.decide(requestId, clicker.get().id, approve);
        String reply = null;
        if (d instanceof BudgetService.NotManager) {
            reply = "Only a manager of this team can approve or deny budget requests; nothing was changed.";
        } else if (d instanceof BudgetService.AlreadyDecided a) {
            reply = "expired".equals(a.request().status)
                    ? "This request expired before anyone decided; nothing was changed."
                    : "Already " + a.request().status + " by " + a.request().decidedBy + "; nothing was changed.";
        } else if (d instanceof BudgetService.NotFound) {
            reply = "This request no longer exists.";
        }
        if (reply != null && p.getResponseUrl() != null) {
            messenger.respond("slack", teamId, p.getResponseUrl(), "respond:" + UUID.randomUUID(),
                    SlackReplies.text(reply));
        }
    }
}
