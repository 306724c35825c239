package dev.yardstick.chat.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.view.ViewState;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.Messenger;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The budget-request form: opened by {@code /ai-spend request} with no arguments; its submission
 * ({@code view_submission}, callback {@value #CALLBACK}) records the request and tells the managers.
 */
@ApplicationScoped
public class BudgetRequestModal implements SlackListener {

    /** The modal's callback id. */
    public static final String CALLBACK = "budget-request";
    private static final Logger LOG = Logger.getLogger(BudgetRequestModal.class);
    private static final ObjectMapper JSON = new ObjectMapper();

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
        app.viewSubmission(CALLBACK, (req, ctx) -> {
            var view = req.getPayload().getView();
            if (view == null || view.getState() == null || view.getState().getValues() == null
                    || req.getPayload().getUser() == null) {
                throw new SlackServlets.Malformed("a view submission without its state or user");
            }
            Map<String, Map<String, ViewState.Value>> values = view.getState().getValues();
            String amountText = value(values, "amount");
            String reason = value(values, "reason");
            String scope = "permanent".equals(selected(values, "scope")) ? "permanent" : "week";
            BigDecimal amount = BudgetService.parseAmount(amountText);
            if (amount == null) {
                return ctx.ack(r -> r.responseAction("errors")
                        .errors(Map.of("amount", "Enter an amount in US dollars, like 150")));
            }
            if (reason == null || reason.isBlank()) {
                return ctx.ack(r -> r.responseAction("errors").errors(Map.of("reason", "Say what the budget is for")));
            }
            String userId = req.getPayload().getUser().getId();
            String teamId = req.getPayload().getTeam() == null ? null : req.getPayload().getTeam().getId();
            background.run(() -> submit(teamId, userId, amount, scope, reason.trim()));
            return ctx.ack();
        });
    }

    /** Opens the form for the person who ran the command. */
    void open(SlashCommandContext ctx, String triggerId) {
        try {
            var r = ctx.client().viewsOpen(req -> req.triggerId(triggerId).viewAsString(view()));
            if (!r.isOk()) {
                LOG.warnf("views.open failed: %s", r.getError());
            }
        } catch (Exception e) {
            LOG.warnf("views.open failed: %s", e.toString());
        }
    }

    private void submit(String teamId, String userId, BigDecimal amount, String scope, String reason) {
        Optional<Member> member = identity.resolve(teamId, userId);
        if (member.isEmpty()) {
            return;
        }
        Member m = member.get();
        if (m.teamKey == null) {
            messenger.directMessage(m.id, "budget-request-refused:" + userId + ":" + System.nanoTime(),
                    SlackReplies.text(
                            "You're not in a team yet, so there is no budget to raise. Ask your Yardstick admin."));
            return;
        }
        Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(m.teamKey));
        identity.linkByEmail(teamId, team.managers);
        BudgetService.Created created = budgets.request(m.id, amount, scope, reason);
        messenger.directMessage(m.id, "budget-request:" + created.request().id + ":confirmation",
                dev.yardstick.personal.AiSpend.confirmation(created));
    }

    private static String value(Map<String, Map<String, ViewState.Value>> values, String block) {
        Map<String, ViewState.Value> b = values.get(block);
        return b == null || b.get("value") == null ? null : b.get("value").getValue();
    }

    private static String selected(Map<String, Map<String, ViewState.Value>> values, String block) {
        Map<String, ViewState.Value> b = values.get(block);
        if (b == null || b.get("value") == null || b.get("value").getSelectedOption() == null) {
            return null;
        }
        return b.get("value").getSelectedOption().getValue();
    }

    static String view() {
        ObjectNode view = JSON.createObjectNode().put("type", "modal").put("callback_id", CALLBACK);
        view.set("title", plain("More AI budget"));
        view.set("submit", plain("Send request"));
        view.set("close", plain("Cancel"));
        ArrayNode blocks = view.putArray("blocks");
        ObjectNode amount = input(blocks, "amount", "Amount (USD)");
        amount.putObject("element").put("type", "plain_text_input").put("action_id", "value")
                .set("placeholder", plain("150"));
        ObjectNode reason = input(blocks, "reason", "What is it for?");
        reason.putObject("element").put("type", "plain_text_input").put("action_id", "value").put("multiline", true)
                .put("max_length", 1000);
        ObjectNode scope = input(blocks, "scope", "For how long?");
        ObjectNode radios = scope.putObject("element").put("type", "radio_buttons").put("action_id", "value");
        ObjectNode week = option("This week only", "week");
        radios.set("initial_option", week);
        radios.putArray("options").add(week).add(option("Permanent (raises the weekly budget)", "permanent"));
        return view.toString();
    }

    private static ObjectNode input(ArrayNode blocks, String id, String label) {
        ObjectNode b = blocks.addObject().put("type", "input").put("block_id", id);
        b.set("label", plain(label));
        return b;
    }

    private static ObjectNode option(String text, String value) {
        ObjectNode o = JSON.createObjectNode();
        o.set("text", plain(text));
        o.put("value", value);
        return o;
    }

    private static ObjectNode plain(String text) {
        return JSON.createObjectNode().put("type", "plain_text").put("text", text);
    }
}
